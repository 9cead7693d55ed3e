"""Static user-equilibrium assignment on link arrays.

``assign(network, classes, algorithm=...)`` is the entry point (also as ``caravan.assign(...)``:
the package itself is callable); see :mod:`caravan.assign.vdf` for
the volume-delay functions and :mod:`caravan.assign.gap` for the relative gap.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from caravan.assign.aon import AonLoad, all_or_nothing
from caravan.assign.assignment import ALGORITHMS, assign
from caravan.assign.gap import GapReport, relative_gap
from caravan.assign.records import AssignmentNetwork, AssignmentResult, DemandClass
from caravan.assign.vdf import VDF_REGISTRY, VolumeDelayFunction

__all__ = [
    "ALGORITHMS",
    "VDF_REGISTRY",
    "AonLoad",
    "AssignmentNetwork",
    "AssignmentResult",
    "DemandClass",
    "GapReport",
    "VolumeDelayFunction",
    "all_or_nothing",
    "assign",
    "relative_gap",
]


class _CallableModule(types.ModuleType):
    """Lets ``caravan.assign(...)`` call :func:`assign` although ``caravan.assign`` is a package."""

    def __call__(self, *args: Any, **kwargs: Any) -> AssignmentResult:
        return assign(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
