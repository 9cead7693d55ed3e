"""Reading and writing a base-year calibration in an atlas folder.

Two files: ``calibration.yaml`` (method, reference, provenance, logit scale, route-choice
constants, elasticity, fit before and after) and ``calibrated_demand.csv`` (per flow: the
prior tonnes, the estimated tonnes, the factor and the base-year cost). ``demand.csv`` keeps
the trade-based prior.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from caravan.errors import InputError
from caravan.io._atomic import write_text_atomic
from caravan.io._limits import LimitError, read_limited
from caravan.io._yaml import load_yaml
from caravan.model.calibration import Calibration, ChoiceConstant, DemandElasticity
from caravan.model.plain import to_plain
from caravan.model.schema import bound_problem
from caravan.model.values import parse_decimal

__all__ = ["CALIBRATION_FILE", "DEMAND_FILE", "read_calibration", "write_calibration"]

CALIBRATION_FILE = "calibration.yaml"
DEMAND_FILE = "calibrated_demand.csv"
_COLUMNS = ("flow_id", "prior_tonnes_per_year", "tonnes_per_year", "factor", "base_cost_usd_per_t")


def write_calibration(
    calibration: Calibration, folder: str | Path, *, prior_tonnes: dict[str, float]
) -> tuple[Path, Path]:
    """Write the calibration into an atlas folder (temp file then rename); return both paths."""
    out = Path(folder)
    if not out.is_dir():
        raise InputError(f"cannot write the calibration: {str(out)!r} is not an atlas folder")
    doc = {
        "# written by": "caravan calibrate; demand.csv keeps the trade-based prior",
        **to_plain(calibration.summary()),
    }
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for flow_id, tonnes in calibration.flow_tonnes.items():
        prior = float(prior_tonnes.get(flow_id, tonnes))
        factor = tonnes / prior if prior > 0 else 1.0
        cost = calibration.flow_base_cost_usd_per_t.get(flow_id)
        writer.writerow(
            [
                flow_id,
                f"{prior:.1f}",
                f"{tonnes:.1f}",
                f"{factor:.6f}",
                "" if cost is None else f"{cost:.4f}",
            ]
        )
    yaml_path, csv_path = out / CALIBRATION_FILE, out / DEMAND_FILE
    write_text_atomic(text, yaml_path)
    write_text_atomic(buf.getvalue(), csv_path)
    return yaml_path, csv_path


def _tonnes(text: str) -> float:
    value = parse_decimal(text)
    wrong = bound_problem("tonnes_per_year", value)
    if wrong:
        raise ValueError(wrong)
    return value


def read_calibration(folder: str | Path) -> Calibration | None:
    """The calibration in an atlas folder, or ``None`` when it has none.

    Raises
    ------
    InputError
        When only one of the two files is there, or either cannot be read.
    """
    base = Path(folder)
    yaml_path, csv_path = base / CALIBRATION_FILE, base / DEMAND_FILE
    if not yaml_path.is_file() and not csv_path.is_file():
        return None
    if not (yaml_path.is_file() and csv_path.is_file()):
        raise InputError(
            f"{base}: {CALIBRATION_FILE} and {DEMAND_FILE} go together; run caravan calibrate "
            "again or remove the one left"
        )
    try:
        doc: dict[str, Any] = load_yaml(read_limited(yaml_path, root=base)) or {}
        rows = list(csv.DictReader(io.StringIO(read_limited(csv_path, root=base))))
        tonnes = {r["flow_id"]: _tonnes(r["tonnes_per_year"]) for r in rows}
        costs = {
            r["flow_id"]: parse_decimal(r["base_cost_usd_per_t"])
            for r in rows
            if r["base_cost_usd_per_t"]
        }
        el = doc.get("elasticity")
        return Calibration(
            method=str(doc["method"]),
            reference=str(doc["reference"]),
            scenario=str(doc["scenario"]),
            created_utc=str(doc["created_utc"]),
            caravan_version=str(doc["caravan_version"]),
            prior_digest=str(doc["prior_digest"]),
            logit_scale_per_usd=float(doc["logit_scale_per_usd"]),
            constants=tuple(
                ChoiceConstant(
                    str(c["count_id"]),
                    tuple(c["link_ids"]),
                    float(c["usd_per_t"]),
                    tuple(c.get("exempt_countries") or ()),
                )
                for c in doc.get("constants") or ()
            ),
            holdout_count_ids=tuple(doc.get("holdout_count_ids") or ()),
            flow_tonnes=tonnes,
            flow_base_cost_usd_per_t=costs,
            elasticity=None
            if not el
            else DemandElasticity(
                float(el["value"]),
                float(el["low"]),
                float(el["high"]),
                str(el["basis"]),
                tuple(el.get("source_ids") or ()),
            ),
            fit_before=doc.get("fit_before") or {},
            fit_after=doc.get("fit_after") or {},
        )
    except (KeyError, TypeError, ValueError, yaml.YAMLError, csv.Error, LimitError) as exc:
        raise InputError(
            f"{base}: cannot read the calibration ({exc}); run caravan calibrate again"
        ) from exc
