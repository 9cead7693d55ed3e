"""Numba, loaded without the part of SciPy that Caravan's kernels never use.

When numba first compiles or loads a kernel it imports ``numba.np.arraymath``, which imports
``scipy.linalg`` (BLAS, LAPACK and their Python modules) only to learn whether ``np.correlate``
and ``np.convolve`` may call BLAS: about 15 MB of resident memory in every process that runs a
kernel. :func:`load_numba` imports that module first with the probe made to fail, so those two
functions would use numba's own loop (no Caravan kernel calls them); every other BLAS or LAPACK
routine imports SciPy on its own when a kernel using it is compiled, and ``import scipy.linalg``
works as before.
"""

from __future__ import annotations

import sys

__all__ = ["load_numba"]

_PROBE = "scipy.linalg.cython_blas"


def load_numba() -> None:
    """Import ``numba.np.arraymath`` without its BLAS probe's SciPy import (once)."""
    if "numba.np.arraymath" in sys.modules or _PROBE in sys.modules:
        return  # already loaded, or SciPy's BLAS is in memory anyway: nothing to save
    sys.modules[_PROBE] = None  # type: ignore[assignment]  # import now raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[_PROBE]
