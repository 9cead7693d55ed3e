"""Ensembles: many draws of a scenario's uncertain inputs, and what survives them.

Typical use::

    from caravan.ensemble import EnsembleSpec, run_ensemble
    result = run_ensemble("kabul-corridor", reference="baseline-2025",
                          spec=EnsembleSpec(draws=200, seed=1))
    result.countries[["country_iso3", "p_gain", "p_loss"]]
"""

from __future__ import annotations

from caravan.ensemble.run import run_ensemble
from caravan.ensemble.spec import Distribution, EnsembleSpec
from caravan.ensemble.summary import EnsembleResult

__all__ = ["Distribution", "EnsembleResult", "EnsembleSpec", "run_ensemble"]
