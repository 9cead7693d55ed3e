"""Algorithm B's bush storage: arrays resized in place, bushes rewritten in place."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from caravan.assign import _bushes
from caravan.assign._bushes import Bushes, _Resizable
from caravan.assign.tntp import assign_tntp
from caravan.io.tntp import read_tntp_dir

from .helpers import tntp_network_dir


def test_a_resizable_array_keeps_its_values_when_it_grows_and_shrinks() -> None:
    r = _Resizable(1000, np.float64)
    r.array[:] = np.arange(1000)
    r.resize(5000)
    assert r.array.size == 5000
    np.testing.assert_array_equal(r.array[:1000], np.arange(1000))
    r.array[1000:] = -1.0
    r.resize(300)
    np.testing.assert_array_equal(r.array, np.arange(300))


def test_a_resizable_array_is_copied_while_a_view_of_it_lives() -> None:
    r = _Resizable(10, np.int32)
    r.array[:] = np.arange(10)
    view = r.array
    r.resize(20)  # the mapping cannot move under the view: copied instead
    np.testing.assert_array_equal(r.array[:10], np.arange(10))
    np.testing.assert_array_equal(view, np.arange(10))
    r.array[0] = 99
    assert view[0] == 0


def _filled(sizes: list[int]) -> Bushes:
    """Bushes of the given sizes; slot ``k`` of bush ``b`` holds entry ``b`` and flow ``k``."""
    bushes = Bushes(len(sizes), sum(sizes))
    bushes.ptr[1:] = np.cumsum(sizes)
    for b, n in enumerate(sizes):
        lo = bushes.ptr[b]
        bushes.entry[lo : lo + n] = b
        bushes.flow[lo : lo + n] = np.arange(n)
    bushes.trim()
    return bushes


def _rewrite(bushes: Bushes, new_size: Any) -> Any:
    """A ``run`` for :meth:`Bushes.update` that rewrites bush ``b`` to ``new_size(b, n)`` slots
    (entry ``b``, flows counting up), keeping to the rule on where it may write."""

    def run(first: int, in_ptr: np.ndarray, out_ptr: np.ndarray) -> int:
        for b in range(first, in_ptr.size - 1):
            n_old = int(in_ptr[b + 1] - in_ptr[b])
            old = bushes.entry[in_ptr[b] : in_ptr[b + 1]].copy()
            assert np.all(old == b)  # the bush not yet read is intact where in_ptr says
            n = new_size(b, n_old)
            lo = int(out_ptr[b])
            if lo + n > in_ptr[b + 1]:
                return b
            bushes.entry[lo : lo + n] = b
            bushes.flow[lo : lo + n] = np.arange(n)
            out_ptr[b + 1] = lo + n
        return in_ptr.size - 1

    return run


@pytest.mark.parametrize(
    ("new_size", "reserve_slots"),
    [
        (lambda b, n: 3 * n + 5, 0),  # every bush grows: the arrays must grow during the pass
        (lambda b, n: n // 2 + 1, 0),  # every bush shrinks: room is given back
        (lambda b, n: n + 40 if b % 3 == 0 else max(1, n - 1), 0),
        (lambda b, n: n + 7, 1024),  # within the reserve
    ],
)
def test_an_update_rewrites_every_bush_in_place(
    monkeypatch: pytest.MonkeyPatch, new_size: Any, reserve_slots: int
) -> None:
    monkeypatch.setattr(Bushes, "reserve_slots", reserve_slots)
    sizes = [5, 17, 1, 30, 8, 2, 12]
    bushes = _filled(sizes)
    for _ in range(3):
        bushes.update(_rewrite(bushes, new_size))
        sizes = [new_size(b, n) for b, n in enumerate(sizes)]
        np.testing.assert_array_equal(np.diff(bushes.ptr), sizes)
        assert bushes.entry.size >= bushes.n_slots
        for b, n in enumerate(sizes):
            lo = bushes.ptr[b]
            np.testing.assert_array_equal(bushes.entry[lo : lo + n], b)
            np.testing.assert_array_equal(bushes.flow[lo : lo + n], np.arange(n))


def test_growing_the_bush_arrays_mid_update_changes_no_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = read_tntp_dir(tntp_network_dir("SiouxFalls"))
    roomy = assign_tntp(data, algorithm="b", gap=1e-10).result
    resizes: list[int] = []
    resize = _Resizable.resize

    def counted(self: _Resizable, size: int) -> None:
        resizes.append(size)
        resize(self, size)

    # no reserve: the first bushes to grow overrun the next ones, so the arrays grow mid-pass
    monkeypatch.setattr(Bushes, "reserve_slots", 0)
    monkeypatch.setattr(Bushes, "reserve_divisor", 1_000_000)
    monkeypatch.setattr(_bushes._Resizable, "resize", counted)
    tight = assign_tntp(data, algorithm="b", gap=1e-10).result
    assert len(resizes) > 2 * 3, resizes  # trim, and the arrays grown mid-pass twice or more
    assert tight.iterations == roomy.iterations
    np.testing.assert_array_equal(tight.total_flow, roomy.total_flow)
