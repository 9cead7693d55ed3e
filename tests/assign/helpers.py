"""Shared helpers of the assignment tests: locating TNTP data, flow conservation."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from caravan.assign import AssignmentNetwork

REPO = Path(__file__).resolve().parents[2]
SIOUX_FALLS = REPO / "tests" / "data" / "SiouxFalls"


def tntp_dir() -> Path:
    """``CARAVAN_TNTP_DIR``, else ``../shared/data/tntp`` beside the repository."""
    return Path(os.environ.get("CARAVAN_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))


def tntp_network_dir(name: str) -> Path:
    """The folder of one TNTP network, or skip the test saying where it looked.

    Without the TNTP folder, SiouxFalls comes from the fixture shipped in ``tests/data``.
    """
    d = tntp_dir() / name
    if not d.is_dir() and name == "SiouxFalls":
        return SIOUX_FALLS
    if not d.is_dir():
        pytest.skip(f"TNTP network {name} not found at {d} (set CARAVAN_TNTP_DIR)")
    return d


def conservation_residual(
    net: AssignmentNetwork, flow: np.ndarray, demand: np.ndarray
) -> np.ndarray:
    """Per node: inflow - outflow - (trips ending there - trips starting there)."""
    inflow = np.bincount(net.to_idx, weights=flow, minlength=net.n_nodes)
    outflow = np.bincount(net.from_idx, weights=flow, minlength=net.n_nodes)
    d = demand.copy()
    np.fill_diagonal(d, 0.0)
    sink = np.zeros(net.n_nodes)
    sink[: net.n_zones] = d.sum(axis=0) - d.sum(axis=1)
    return np.asarray(inflow - outflow - sink)
