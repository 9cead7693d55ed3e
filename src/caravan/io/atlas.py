"""Reading an atlas folder: every file parsed, every problem collected, then a frozen ``Atlas``."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.io._fields import cell_problem, parse_csv_cell, parse_record
from caravan.io._limits import InputLimits, LimitError, input_limits, read_limited
from caravan.io._yaml import YAML_ERRORS, load_yaml, yaml_problem
from caravan.io.atlas_build import build_atlas
from caravan.io.calibration import read_calibration
from caravan.model.atlas import Atlas
from caravan.model.calibration import apply_calibration
from caravan.model.schema import ATLAS_META, CSV_FILES, YAML_LIST_FILES, Field, Kind
from caravan.model.tariffs import parse_tariffs
from caravan.model.validate import validate_tables

__all__ = [
    "ATLAS_FILES",
    "load_atlas",
    "read_atlas_tables",
    "shipped_atlas_path",
]

ATLAS_FILES: tuple[str, ...] = (*CSV_FILES, *YAML_LIST_FILES, "atlas.yaml")
#: Key of ``read_atlas_tables``'s tables naming the files that could not be read at all.
UNREAD = "_unread"
_OPTIONAL_FILES = frozenset(
    {"restrictions.yaml", "zones.yaml", "demand.csv", "status_events.yaml", "capacities.yaml"}
)


def shipped_atlas_path() -> Path:
    """The folder of the Trans-Eurasian atlas shipped with Caravan."""
    return Path(str(resources.files("caravan") / "atlas" / "trans-eurasia"))


def _read_text(folder: Path, name: str, problems: list[Problem], limits: InputLimits) -> str | None:
    """A file's text, or ``None`` with a problem when it is missing or breaks the input limits."""
    path = folder / name
    if not path.is_file():
        if name not in _OPTIONAL_FILES:
            problems.append(
                Problem(name, None, None, f"file is missing from {folder}", f"add {name}")
            )
        return None
    try:
        return read_limited(path, root=folder, limits=limits, what=name)
    except LimitError as exc:
        problems.append(Problem(name, exc.line, None, str(exc), exc.fix or "fix the file"))
        return None


def _read_csv(
    name: str,
    text: str,
    problems: list[Problem],
    fields: tuple[Field, ...] | None = None,
    *,
    max_rows: int | None = None,
) -> pd.DataFrame:
    fields = CSV_FILES[name] if fields is None else fields
    max_rows = input_limits().max_rows if max_rows is None else max_rows
    by_name = {f.name: f for f in fields}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, Any]] = []
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem(name, None, None, "file is empty", "add the header row"))
            return _empty_frame(fields)
        header = [h.strip() for h in header]
        missing = [f.name for f in fields if f.required and f.name not in header]
        for col in missing:
            problems.append(Problem(name, 1, col, "required column is missing", f"add {col}"))
        for col in header:
            if col not in by_name:
                problems.append(
                    Problem(
                        name,
                        1,
                        col,
                        "unknown column",
                        f"remove it or rename to one of: {', '.join(by_name)}",
                    )
                )
        if missing:
            return _empty_frame(fields)
        for n_rows, cells in enumerate(reader, start=1):
            line = reader.line_num
            if n_rows > max_rows:
                problems.append(
                    Problem(
                        name,
                        line,
                        None,
                        f"has more than {max_rows:,} rows (the limit); the rest was not read",
                        "split the file, or raise CARAVAN_MAX_ROWS",
                    )
                )
                break
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        name,
                        line,
                        None,
                        f"has {len(cells)} fields, the header has {len(header)}",
                        "quote cells that contain commas; one value per column",
                    )
                )
                continue
            record: dict[str, Any] = {"_line": line}
            ok = True
            for col, cell in zip(header, cells, strict=True):
                spec = by_name.get(col)
                if spec is None:
                    continue
                value, err = parse_csv_cell(cell, spec)
                if err:
                    problems.append(cell_problem(name, line, spec, err))
                    ok = ok and not spec.required
                elif spec.required and value in (None, ()):
                    problems.append(
                        Problem(name, line, col, "missing required value", f"fill in {col}")
                    )
                    ok = False
                record[col] = value
            if ok:
                rows.append(record)
    except csv.Error as exc:
        problems.append(
            Problem(name, reader.line_num, None, f"malformed CSV: {exc}", "fix the quoting")
        )
    frame = pd.DataFrame(rows, columns=["_line", *[f.name for f in fields]])
    return _typed(frame, fields)


def _empty_frame(fields: tuple[Field, ...]) -> pd.DataFrame:
    return _typed(pd.DataFrame(columns=["_line", *[f.name for f in fields]]), fields)


def _typed(frame: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    for f in fields:
        col = frame[f.name]
        if f.kind is Kind.FLOAT:
            frame[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif f.kind is Kind.INT:
            frame[f.name] = pd.array(
                [
                    None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                    for v in col
                ],
                dtype="Int64",
            )
        elif f.kind is Kind.BOOL:
            frame[f.name] = [bool(v) if v is not None and v == v else False for v in col]
        elif f.kind is Kind.LIST:
            frame[f.name] = [v if isinstance(v, tuple) else () for v in col]
        else:
            frame[f.name] = [v if isinstance(v, str) else None for v in col]
    frame["_line"] = pd.array(list(frame["_line"]), dtype="Int64")
    return frame.reset_index(drop=True)


def _read_yaml(name: str, text: str, problems: list[Problem], limits: InputLimits) -> Any:
    try:
        return load_yaml(text, limits=limits)
    except YAML_ERRORS as exc:
        line, what = yaml_problem(exc)
        problems.append(
            Problem(name, line, None, f"malformed YAML: {what}", "fix the indentation or quoting")
        )
        return None


def _read_yaml_list(
    name: str, text: str | None, problems: list[Problem], limits: InputLimits
) -> list[dict[str, Any]]:
    if text is None:
        return []
    data = _read_yaml(name, text, problems, limits)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(
            Problem(
                name,
                None,
                None,
                f"expected a list of records, got {type(data).__name__}",
                "start each record with '- '",
            )
        )
        return []
    if len(data) > limits.max_rows:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"has {len(data):,} records, above the limit of {limits.max_rows:,}",
                "split the file, or raise CARAVAN_MAX_ROWS",
            )
        )
        return []
    out = []
    for pos, item in enumerate(data, start=1):
        if not isinstance(item, Mapping):
            problems.append(Problem(name, pos, None, "record is not a mapping", "use key: value"))
            continue
        record, probs = parse_record(item, YAML_LIST_FILES[name], file=name, row=pos)
        problems += probs
        if not any(p.field in {f.name for f in YAML_LIST_FILES[name] if f.required} for p in probs):
            record["_line"] = pos
            out.append(record)
    return out


def read_atlas_tables(path: str | Path) -> tuple[dict[str, Any], list[Problem], str]:
    """Read every atlas file into typed tables and record dicts, without semantic checks.

    Returns
    -------
    tables : dict
        ``"nodes.csv"`` etc. map to frames (with a ``_line`` column), YAML list files to
        lists of dicts (with ``_line``, the record's position), ``"atlas.yaml"`` to a dict;
        ``UNREAD`` to the names of the files that could not be read at all.
    problems : list of Problem
        Every problem found while reading and type-checking.
    digest : str
        SHA-256 over the files' bytes, in a fixed order.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(f"atlas folder {str(folder)!r} does not exist or is not a folder")
    limits = input_limits()
    problems: list[Problem] = []
    tables: dict[str, Any] = {}
    texts = {name: _read_text(folder, name, problems, limits) for name in ATLAS_FILES}
    sha = hashlib.sha256()
    for name in ATLAS_FILES:
        text = texts[name]
        if text is not None:
            sha.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    for name in CSV_FILES:
        text = texts[name]
        tables[name] = (
            _empty_frame(CSV_FILES[name])
            if text is None
            else _read_csv(name, text, problems, max_rows=limits.max_rows)
        )
    for name in YAML_LIST_FILES:
        before = len(problems)
        tables[name] = _read_yaml_list(name, texts[name], problems, limits)
        if texts[name] is not None and any(
            p.message.startswith("malformed YAML") for p in problems[before:]
        ):
            texts[name] = None
    meta_text = texts["atlas.yaml"]
    meta: dict[str, Any] = {}
    if meta_text is not None:
        raw = _read_yaml("atlas.yaml", meta_text, problems, limits)
        if isinstance(raw, Mapping):
            meta, probs = parse_record(raw, ATLAS_META, file="atlas.yaml", row=1)
            problems += probs
        elif raw is not None:
            problems.append(
                Problem("atlas.yaml", None, None, "expected a mapping", "use key: value")
            )
    tables["atlas.yaml"] = meta
    tables[UNREAD] = tuple(
        name
        for name in ATLAS_FILES
        if texts[name] is None and (name not in _OPTIONAL_FILES or (folder / name).exists())
    )
    tables["tariffs.yaml"] = None
    if (folder / "tariffs.yaml").is_file():
        sha.update(b"tariffs.yaml\0" + (folder / "tariffs.yaml").read_bytes() + b"\0")
        raw_tariffs = _read_yaml(
            "tariffs.yaml",
            _read_text(folder, "tariffs.yaml", problems, limits) or "",
            problems,
            limits,
        )
        if isinstance(raw_tariffs, Mapping):
            try:
                tables["tariffs.yaml"] = parse_tariffs(raw_tariffs)
            except (InputError, KeyError) as exc:
                problems.append(
                    Problem("tariffs.yaml", None, None, str(exc), "fix the figure or its range")
                )
            else:
                known = {r.get("source_id") for r in tables["sources.yaml"]}
                problems += [
                    Problem(
                        "tariffs.yaml",
                        None,
                        "source_ids",
                        f"unknown source {sid!r}",
                        "add it to sources.yaml or fix the id",
                    )
                    for sid in tables["tariffs.yaml"].source_ids
                    if sid not in known
                ]
                links = tables["links.csv"]
                water = dict(zip(links["link_id"], links["mode"], strict=True))
                problems += [
                    Problem(
                        "tariffs.yaml",
                        None,
                        "lanes.link_ids",
                        f"{lid!r} is not a {lane.mode} link of links.csv",
                        "name a sea or ferry link of its mode, or drop it",
                    )
                    for lane in tables["tariffs.yaml"].lanes
                    for lid in lane.link_ids
                    if water.get(lid) != lane.mode
                ]
    return tables, problems, sha.hexdigest()


def load_atlas(path: str | Path | None = None, *, calibrated: bool = True) -> Atlas:
    """Read and validate an atlas folder (the shipped Trans-Eurasian atlas by default).

    Parameters
    ----------
    path : str or Path, optional
        The atlas folder. ``None`` reads the atlas shipped with Caravan.
    calibrated : bool
        Apply the folder's base-year calibration (``calibration.yaml`` and
        ``calibrated_demand.csv``, written by ``caravan calibrate``) when it has one; ``False``
        gives the trade-based prior.

    Returns
    -------
    Atlas
        The frozen atlas.

    Raises
    ------
    AtlasValidationError
        With every problem found (file, row, field, what is wrong, the fix).
    InputError
        When the folder does not exist.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> atlas = load_atlas()
    >>> len(atlas.nodes) >= 150
    True
    """

    folder = Path(path) if path is not None else shipped_atlas_path()
    tables, problems, digest = read_atlas_tables(folder)
    if tables[UNREAD]:  # checks across files would only repeat that these are missing
        problems.append(
            Problem(
                "atlas",
                None,
                None,
                f"checks across files were skipped: {', '.join(tables[UNREAD])} could not be read",
                "mend the files above, then validate again",
            )
        )
    else:
        problems += validate_tables(tables)
    if problems:
        raise AtlasValidationError(problems, source=str(folder))
    atlas = build_atlas(tables, folder, digest)
    if calibrated:
        calibration = read_calibration(folder)
        if calibration is not None:
            atlas = apply_calibration(atlas, calibration)
    return atlas
