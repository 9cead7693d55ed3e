"""``caravan compare`` tables: rows show a change the table can print, the rest are counted."""

from __future__ import annotations

import pandas as pd
import pytest

from caravan.cli._runs import _print_corridor_changes


def _corridors() -> pd.DataFrame:
    rows = [
        # project, through A, through B, busiest A, busiest B
        ("opens", 0.0, 1.25e6, 0.0, 1.25e6),
        ("busier-link", 0.0, 0.0, 5.17e6, 7.18e6),  # through 0 -> 0, its busiest link moves
        ("same-at-print", 1.2301e6, 1.2324e6, 2.1e6, 2.1031e6),  # kt changes, 0.01 Mt alike
        ("untouched", 3.0e6, 3.0e6, 4.0e6, 4.0e6),
        ("unused", 0.0, 0.0, 0.0, 0.0),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "project_id",
            "tonnes_per_year_a",
            "tonnes_per_year_b",
            "max_link_tonnes_a",
            "max_link_tonnes_b",
        ],
    )
    frame["delta_tonnes_per_year"] = frame["tonnes_per_year_b"] - frame["tonnes_per_year_a"]
    frame["delta_max_link_tonnes"] = frame["max_link_tonnes_b"] - frame["max_link_tonnes_a"]
    return frame


def test_rows_that_print_alike_are_left_out_and_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _print_corridor_changes(_corridors(), top=12)
    out = capsys.readouterr().out
    assert "opens" in out and "busier-link" in out and "5.17 → 7.18" in out
    assert "same-at-print" not in out and "untouched" not in out and "unused" not in out
    assert "(2 corridors in use unchanged at 0.01 Mt; --json has every corridor)" in out


def test_rows_past_the_top_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    _print_corridor_changes(_corridors(), top=1)
    out = capsys.readouterr().out
    assert "opens" in out and "busier-link" not in out  # the largest change first (2.5 Mt)
    assert "(1 smaller changes; 2 corridors in use unchanged at 0.01 Mt;" in out
