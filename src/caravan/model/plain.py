"""Turning records, tables' cells and numpy values into plain JSON-ready data."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_plain"]


def to_plain(value: Any, *, digits: int | None = None) -> Any:
    """A value made JSON-ready: enums to their values, numpy scalars to Python ones, NaN, inf
    and ``pd.NA`` to ``None``, containers and dataclasses to lists and dicts.

    Parameters
    ----------
    value : Any
        What to convert.
    digits : int, optional
        Round floats to this many decimals.

    Examples
    --------
    >>> to_plain({"a": (1, float("nan")), "b": np.int64(3), "c": 0.1234567}, digits=3)
    {'a': [1, None], 'b': 3, 'c': 0.123}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        return round(f, digits) if digits is not None else f
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, digits=digits) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name), digits=digits)
            for f in dataclasses.fields(value)
        }
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [to_plain(v, digits=digits) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "to_dict"):
        return to_plain(value.to_dict(), digits=digits)
    return str(value)
