"""``caravan calibrate`` and ``caravan validate counts`` on a copy of the shipped atlas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.calibration import CALIBRATION_FILE, DEMAND_FILE, read_calibration

runner = CliRunner()


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("cal") / "atlas"
    shutil.copytree(shipped_atlas_path(), folder)
    for name in (CALIBRATION_FILE, DEMAND_FILE):
        (folder / name).unlink(missing_ok=True)
    result = runner.invoke(
        app,
        [
            "calibrate",
            "--atlas",
            str(folder),
            "--holdout",
            "chaman,btk,kuryk,batumi,uzb-transit,zaranj-milak",
        ],
    )
    assert result.exit_code == 0, result.output
    return folder, result.stdout


def test_calibrate_writes_demand_and_parameters_with_provenance(
    calibrated: tuple[Path, str],
) -> None:
    folder, out = calibrated
    assert "before:" in out and "after:" in out
    cal = read_calibration(folder)
    assert cal is not None
    assert set(cal.holdout_count_ids) == {
        "chaman",
        "btk",
        "kuryk",
        "batumi",
        "uzb-transit",
        "zaranj-milak",
    }
    assert cal.created_utc and cal.caravan_version and cal.prior_digest and cal.reference
    assert all(c.count_id not in cal.holdout_count_ids for c in cal.constants)
    assert cal.elasticity is not None and cal.elasticity.low < cal.elasticity.value < 0
    prior = load_atlas(folder, calibrated=False).demand.set_index("flow_id")["tonnes_per_year"]
    post = load_atlas(folder).demand.set_index("flow_id")["tonnes_per_year"]
    assert (post != prior).any()
    assert set(cal.flow_tonnes) == set(prior.index)
    # The fit improves on the counts used.
    assert (
        cal.fit_after["in_sample_median_abs_log_ratio"]
        < cal.fit_before["in_sample_median_abs_log_ratio"]
    )


def test_validate_counts_json_reproduces_the_calibrated_fit(calibrated: tuple[Path, str]) -> None:
    folder, _ = calibrated
    result = runner.invoke(app, ["validate", "counts", "--json", "--atlas", str(folder)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    row = doc["counts"][0]
    assert set(row) >= {
        "count_id",
        "kind",
        "name",
        "year",
        "observed_tonnes",
        "modelled_tonnes",
        "ratio",
        "geh",
        "holdout",
    }
    held = {r["count_id"] for r in doc["counts"] if r["holdout"]}
    assert held == {"chaman", "btk", "kuryk", "batumi", "uzb-transit", "zaranj-milak"}
    cal = read_calibration(folder)
    assert cal is not None
    assert doc["in_sample_within_25pct"] == pytest.approx(cal.fit_after["in_sample_within_25pct"])
    assert doc["holdout_within_40pct"] == pytest.approx(cal.fit_after["holdout_within_40pct"])


def test_unknown_holdout_id_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "counts", "--holdout", "nowhere"])
    assert result.exit_code == 2
    assert "unknown count id(s) nowhere" in result.stderr


def test_held_out_counts_never_enter_the_estimate() -> None:
    """Changing every held-out count (value, range) leaves demand, constants and scale alone."""
    import dataclasses

    from caravan.calibration.workflow import calibrate
    from caravan.io.observed import load_observed

    atlas = load_atlas(calibrated=False)
    counts = load_observed(atlas)
    assert any(c.holdout for c in counts)
    moved = [
        dataclasses.replace(
            c,
            observed_tonnes=c.observed_tonnes * 7.0,
            observed_tonnes_low=c.observed_tonnes_low * 0.1,
            observed_tonnes_high=c.observed_tonnes_high * 9.0,
        )
        if c.holdout
        else c
        for c in counts
    ]
    kw = {"scales": (0.03,), "iterations": 2}
    one = calibrate(atlas, counts, **kw).calibration  # type: ignore[arg-type]
    two = calibrate(atlas, moved, **kw).calibration  # type: ignore[arg-type]
    assert one.flow_tonnes == two.flow_tonnes
    assert one.constants == two.constants
    assert one.logit_scale_per_usd == two.logit_scale_per_usd
    assert not {c.count_id for c in one.constants} & set(one.holdout_count_ids)
    # The check can fail: moving an in-sample count does change the estimate.
    first = next(i for i, c in enumerate(counts) if not c.holdout)
    bumped = list(counts)
    bumped[first] = dataclasses.replace(
        counts[first], observed_tonnes=counts[first].observed_tonnes * 3
    )
    three = calibrate(atlas, bumped, **kw).calibration  # type: ignore[arg-type]
    assert three.flow_tonnes != one.flow_tonnes
