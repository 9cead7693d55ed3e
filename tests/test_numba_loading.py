"""caravan._numba: kernels run without numba loading scipy.linalg, which stays importable."""

from __future__ import annotations

import subprocess
import sys

_CHILD = """
import sys
import numpy as np
from caravan.assign import AssignmentNetwork, DemandClass, assign
net = AssignmentNetwork.from_links(
    [0, 0], [1, 1], [1.0, 2.0], [1.0, 1.0], [0.15, 0.15], [4.0, 4.0], n_nodes=2, n_zones=2
)
for algorithm in ("b", "gp", "bfw"):
    assign(net, [DemandClass("car", np.array([[0.0, 3.0], [0.0, 0.0]]))], algorithm=algorithm)
assert "scipy.linalg" not in sys.modules, "numba's BLAS probe imported scipy.linalg"
import scipy.linalg
from numba import njit

@njit
def dot(a, b):
    return np.dot(a, b)

assert dot(np.arange(3.0), np.arange(3.0)) == 5.0
assert scipy.linalg.norm(np.ones(4)) == 2.0
"""


def test_kernels_run_without_scipy_linalg_which_stays_importable() -> None:
    # a fresh interpreter: this one may have imported scipy.linalg already
    done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
