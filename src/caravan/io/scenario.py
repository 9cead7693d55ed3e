"""Reading scenario files: YAML what-ifs, validated against the atlas, inheritance resolved."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caravan.errors import AtlasValidationError, NotFoundError, Problem
from caravan.io._fields import parse_record
from caravan.io._limits import LimitError, confined, read_limited
from caravan.io._yaml import YAML_ERRORS, line_of_path, load_yaml, yaml_key_lines, yaml_problem
from caravan.model.atlas import Atlas
from caravan.model.scenario import (
    AssignmentMethod,
    AssignmentSettings,
    AttributeChange,
    ChangeOp,
    ChangeTarget,
    DemandAdd,
    DemandScale,
    RiskChange,
    Scenario,
)
from caravan.model.scenario_ids import check_scenario_ids
from caravan.model.schema import Field, Kind, bounded
from caravan.model.values import clip

__all__ = ["list_scenarios", "load_scenario", "scenario_folder"]

#: Largest factor a scenario may scale a value or the demand by (the result is also bounded).
_MAX_FACTOR = 1000.0
#: Largest magnitude a scenario may set or add (the result must also lie in its bounds).
_MAX_CHANGE = 1e9

_ROOT: tuple[Field, ...] = (
    Field("name", required=True),
    Field("title"),
    Field("description", required=True),
    Field("base"),
    Field("year", Kind.INT, minimum=1990, maximum=2100),
    Field("security_as_of", Kind.DATE),
    Field("date", Kind.DATE),
    Field("source_ids", Kind.LIST),
    Field("open_projects", Kind.LIST),
    Field("open_links", Kind.LIST),
    Field("close", Kind.MAPPING),
    Field("changes", Kind.RECORDS),
    Field("demand", Kind.MAPPING),
    Field("risk", Kind.RECORDS),
    Field("assignment", Kind.MAPPING),
    Field("ensemble", Kind.MAPPING),
    Field("notes"),
)
_CLOSE = tuple(
    Field(n, Kind.LIST) for n in ("links", "borders", "nodes", "countries", "zones", "projects")
)
_CHANGE = (
    Field("target", required=True, vocab=tuple(t.value for t in ChangeTarget)),
    Field("ids", Kind.LIST, required=True),
    Field("field", required=True),
    Field("set", Kind.FLOAT, minimum=-_MAX_CHANGE, maximum=_MAX_CHANGE),
    Field("scale", Kind.FLOAT, minimum=0, maximum=_MAX_FACTOR),
    Field("add", Kind.FLOAT, minimum=-_MAX_CHANGE, maximum=_MAX_CHANGE),
    Field("why"),
)
_DEMAND = (Field("scale", Kind.RECORDS), Field("add", Kind.RECORDS))
_SCALE = (
    Field("factor", Kind.FLOAT, required=True, minimum=0, maximum=_MAX_FACTOR),
    Field("flow_ids", Kind.LIST),
    Field("origin_countries", Kind.LIST),
    Field("destination_countries", Kind.LIST),
    Field("commodities", Kind.LIST),
    Field("why"),
)
_ADD = (
    Field("flow_id", required=True),
    Field("origin_node_id", required=True),
    Field("destination_node_id", required=True),
    Field("commodity_id", required=True),
    bounded("tonnes_per_year", required=True),
    Field("basis", required=True),
    Field("source_ids", Kind.LIST, required=True),
)
_RISK = (
    Field("zone_id", required=True),
    Field("risk", Kind.FLOAT, required=True, minimum=0, maximum=1),
    Field("name"),
    Field("country_iso3"),
    Field("admin1"),
    Field("basis"),
    Field("source_ids", Kind.LIST),
)
_ASSIGN = (
    Field("method", vocab=tuple(m.value for m in AssignmentMethod)),
    Field("k_routes", Kind.INT, minimum=1, maximum=20),
    Field("logit_scale_per_usd", Kind.FLOAT, minimum=0, maximum=100),
    Field("max_iter", Kind.INT, minimum=1, maximum=10000),
    Field("gap", Kind.FLOAT, minimum=0, maximum=1),
    Field("seed", Kind.INT, minimum=0, maximum=2**32 - 1),
)
_NESTED: dict[str, tuple[Field, ...]] = {
    "close": _CLOSE,
    "demand": _DEMAND,
    "assignment": _ASSIGN,
}


def scenario_folder(atlas: Atlas) -> Path:
    """The ``scenarios/`` folder of an atlas."""
    if atlas.path is None:
        raise NotFoundError("this atlas was not read from a folder, so it has no scenarios")
    return Path(atlas.path) / "scenarios"


def list_scenarios(atlas: Atlas) -> list[dict[str, Any]]:
    """Name, title, description, base, year and sources of each shipped scenario, by name."""
    out = []
    folder = scenario_folder(atlas)
    root = Path(atlas.path) if atlas.path is not None else folder
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = load_yaml(read_limited(path, root=root, what=path.name))
        except (*YAML_ERRORS, LimitError, OSError):
            raw = None
        raw = raw if isinstance(raw, Mapping) else {}
        sources = raw.get("source_ids")
        listed = sources if isinstance(sources, list) else []
        year = raw.get("year")
        out.append(
            {
                "name": path.stem,
                "title": clip(_text(raw.get("title")), _MAX_LISTED),
                "description": clip(_text(raw.get("description")).strip(), _MAX_LISTED),
                "base": clip(_text(raw.get("base")) or "atlas", _MAX_LISTED),
                "year": year if isinstance(year, int) and not isinstance(year, bool) else None,
                "source_ids": [clip(str(s), _MAX_LISTED) for s in listed[:_MAX_LISTED]],
            }
        )
    return out


#: Longest text (and longest list) a scenario listing shows of one field.
_MAX_LISTED = 2000


def _text(value: Any) -> str:
    """A listed field as text: only scalars count (a mapping or a list is not a title)."""
    if value is None or isinstance(value, (Mapping, list)):
        return ""
    return str(value)


def _read_raw(
    path: Path, problems: list[Problem], roots: tuple[Path, ...]
) -> dict[str, Any] | None:
    """The parsed record of one scenario file; ``roots`` are the folders it must lie in."""
    name = path.name
    if roots and not any(confined(path, root) for root in roots):
        problems.append(
            Problem(
                name,
                None,
                None,
                "is a link to a file outside the atlas folder; it was not read",
                "replace the link with the scenario file itself",
            )
        )
        return None
    try:
        text = read_limited(path, what=name)
    except LimitError as exc:
        problems.append(Problem(name, exc.line, None, str(exc), exc.fix or "fix the file"))
        return None
    try:
        raw = load_yaml(text)
    except YAML_ERRORS as exc:
        line, what = yaml_problem(exc)
        problems.append(Problem(name, line, None, f"malformed YAML: {what}", "fix the YAML"))
        return None
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(name, None, None, "a scenario must be a mapping", "start with 'name: ...'")
        )
        return None
    lines = yaml_key_lines(text)
    record, probs = _parse(raw, _ROOT, name, "")
    problems += _with_lines(probs, lines)
    record[_LINES] = lines
    if record.get("name") and record["name"] != path.stem:
        problems.append(
            Problem(
                name,
                lines.get("name"),
                "name",
                f"name {record['name']!r} differs from the file name {path.stem!r}",
                f"use name: {path.stem}",
            )
        )
    return record


#: The key of a parsed scenario record that holds the line of every key path (not a field).
_LINES = "_lines"


def _with_lines(problems: list[Problem], lines: Mapping[str, int]) -> list[Problem]:
    """The problems, each with the line of its key path in the scenario file (as its row)."""
    return [
        p
        if p.row is not None
        else Problem(p.file, line_of_path(dict(lines), p.field), p.field, p.message, p.fix)
        for p in problems
    ]


def _parse(
    raw: Mapping[Any, Any], fields: tuple[Field, ...], file: str, prefix: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse a mapping, then its nested mappings and record lists with their own fields."""
    flat = tuple(
        Field(
            f.name,
            Kind.STR if f.kind in (Kind.MAPPING, Kind.RECORDS) else f.kind,
            f.required,
            f.vocab,
            f.minimum,
            f.maximum,
        )
        for f in fields
    )
    nested = _nested_names(fields)
    plain = {k: v for k, v in raw.items() if str(k) not in nested}
    record, problems = parse_record(plain, flat, file=file, row=0, prefix=prefix)
    nested_keys = {prefix + n for n in nested}
    problems = [p for p in problems if p.field not in nested_keys]
    problems = [Problem(p.file, None, p.field, p.message, p.fix) for p in problems]
    for f in fields:
        if f.kind not in (Kind.MAPPING, Kind.RECORDS):
            continue
        value = raw.get(f.name)
        key = prefix + f.name
        if f.name == "ensemble":  # checked by caravan.io.ensemble when an ensemble runs
            if value is not None and not isinstance(value, Mapping):
                problems.append(Problem(file, None, key, "expected a mapping", "use key: value"))
            record[f.name] = dict(value) if isinstance(value, Mapping) else {}
            continue
        if value is None:
            record[f.name] = {} if f.kind is Kind.MAPPING else []
            continue
        sub = (
            _NESTED.get(f.name)
            or {"changes": _CHANGE, "risk": _RISK, "scale": _SCALE, "add": _ADD}[f.name]
        )
        if f.kind is Kind.MAPPING:
            if not isinstance(value, Mapping):
                problems.append(Problem(file, None, key, "expected a mapping", "use key: value"))
                record[f.name] = {}
                continue
            record[f.name], probs = _parse(value, sub, file, key + ".")
            problems += probs
        else:
            if not isinstance(value, list):
                problems.append(Problem(file, None, key, "expected a list", "use '- ' items"))
                record[f.name] = []
                continue
            items = []
            for i, item in enumerate(value, start=1):
                if not isinstance(item, Mapping):
                    problems.append(
                        Problem(file, None, f"{key}[{i}]", "expected a mapping", "use key: value")
                    )
                    continue
                parsed, probs = _parse(item, sub, file, f"{key}[{i}].")
                problems += probs
                if not probs:
                    items.append(parsed)
            record[f.name] = items
    return record, problems


def _nested_names(fields: tuple[Field, ...]) -> set[str]:
    return {f.name for f in fields if f.kind in (Kind.MAPPING, Kind.RECORDS)}


def _is_file(path: Path) -> bool:
    """Whether a file is there (a name too long for the file system, or otherwise unusable,
    is not one)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolve_path(name_or_path: str | Path, folder: Path, roots: tuple[Path, ...] = ()) -> Path:
    """The file of a scenario name or path; with ``roots``, it must lie inside one of them."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        if roots:  # a base: relative to the child's folder, never outside the atlas
            path = folder / path
            if not any(confined(path, root) for root in roots):
                raise AtlasValidationError(
                    [
                        Problem(
                            clip(text, 80),
                            None,
                            "base",
                            "a scenario's base must be a scenario of the atlas folder; "
                            "this path leads outside it and was not read",
                            "name a scenario of scenarios/ (e.g. base: baseline-2025)",
                        )
                    ],
                    source="scenario base",
                )
        if not _is_file(path):
            raise NotFoundError(f"scenario file {clip(text, 80)!r} does not exist")
        return path
    candidate = folder / f"{text}.yaml"
    if _is_file(candidate):
        return candidate
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5) if len(text) < 200 else []
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if roots:  # a base, looked for beside the scenario that names it
        raise NotFoundError(
            f"unknown scenario {clip(text, 80)!r} as a base: a base by name is a scenario of the "
            f"folder of the one that names it, {clip(str(folder), 120)} (there: "
            f"{', '.join(names) or 'none'}){hint} (fix: correct the name, or give a base from "
            f"another folder as a path inside the atlas, e.g. base: "
            f"<atlas>/scenarios/{clip(text, 80)}.yaml)"
        )
    raise NotFoundError(
        f"unknown scenario {clip(text, 80)!r}{hint} (shipped: {', '.join(names) or 'none'})"
    )


def load_scenario(name_or_path: str | Path, atlas: Atlas) -> Scenario:
    """Read a scenario by shipped name or path, check it against the atlas, resolve its bases.

    A child's scalars (year, title, assignment settings) override its base's; its lists
    (projects to open, closures, changes, demand and risk changes, sources) add to them.

    Raises
    ------
    NotFoundError
        Unknown scenario name or missing file (with suggestions).
    AtlasValidationError
        Every problem in the scenario and its bases (file, key, what, fix), including
        inheritance cycles.
    """
    folder = scenario_folder(atlas) if atlas.path is not None else Path(".")
    chain: list[tuple[Path, dict[str, Any]]] = []
    problems: list[Problem] = []
    seen: list[str] = []
    current: str | Path = name_or_path
    atlas_root = Path(atlas.path) if atlas.path is not None else None
    roots: tuple[Path, ...] = ()
    while True:
        if chain:
            path = _resolve_path(current, chain[-1][0].parent, roots)
            where = roots
        else:
            path = _resolve_path(current, folder)
            # bases stay inside the atlas folder, or the folder of a scenario given by path
            roots = tuple(r for r in (atlas_root, path.parent) if r is not None)
            by_name = path.parent == folder and atlas_root is not None
            where = (atlas_root,) if by_name and atlas_root is not None else ()
        key = str(path.resolve())
        if key in seen:
            cycle = " -> ".join([*(Path(s).stem for s in seen), path.stem])
            problems.append(
                Problem(
                    path.name,
                    None,
                    "base",
                    f"inheritance cycle: {cycle}",
                    "make one scenario's base 'atlas'",
                )
            )
            break
        seen.append(key)
        record = _read_raw(path, problems, where)
        if record is None:
            break
        problems += _with_lines(check_scenario_ids(record, atlas, path.name), record[_LINES])
        chain.append((path, record))
        base = record.get("base") or "atlas"
        if base == "atlas":
            break
        current = base
    if problems:
        raise AtlasValidationError(problems, source=f"scenario {name_or_path}")
    return _merge(chain, atlas)


def _merge(chain: list[tuple[Path, dict[str, Any]]], atlas: Atlas) -> Scenario:
    """Fold the chain from the root base down to the named scenario."""
    digest = hashlib.sha256()
    merged: dict[str, Any] = {"assignment": {}, "ensemble": {}}
    year: int | None = None
    security_as_of: str | None = None
    day: str | None = None
    title = ""
    lists: dict[str, list[Any]] = {}

    def extend(key: str, values: Any) -> None:
        lists.setdefault(key, []).extend(values or [])

    for path, record in reversed(chain):
        digest.update(path.read_bytes())
        year = record.get("year") or year
        security_as_of = record.get("security_as_of") or security_as_of
        day = record.get("date") or day
        title = record.get("title") or title
        for key, value in (record.get("ensemble") or {}).items():
            if isinstance(value, Mapping) and isinstance(merged["ensemble"].get(key), Mapping):
                merged["ensemble"][key] = {**merged["ensemble"][key], **value}
            else:
                merged["ensemble"][key] = value
        merged["assignment"].update(
            {k: v for k, v in record["assignment"].items() if v is not None}
        )
        for key in ("source_ids", "open_projects", "open_links"):
            extend(key, record.get(key))
        for key in ("links", "borders", "nodes", "countries", "zones", "projects"):
            extend(f"close_{key}", record["close"].get(key))
        extend(
            "changes",
            [
                {
                    **c,
                    "origin": f"{path.name} changes[{i}]",
                    "origin_line": record[_LINES].get(f"changes[{i}]"),
                }
                for i, c in enumerate(record["changes"], 1)
            ],
        )
        extend(
            "demand_scale",
            [
                {
                    **c,
                    "origin": f"{path.name} demand.scale[{i}]",
                    "origin_line": record[_LINES].get(f"demand.scale[{i}]"),
                }
                for i, c in enumerate(record["demand"].get("scale") or [], 1)
            ],
        )
        extend("demand_add", record["demand"].get("add"))
        extend("risk", record["risk"])
    path, top = chain[0]
    if year is None:
        raise AtlasValidationError(
            [
                Problem(
                    path.name,
                    None,
                    "year",
                    "no year in the scenario or its bases",
                    "add year: 2025",
                )
            ],
            source=f"scenario {top['name']}",
        )

    def uniq(key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(lists.get(key, [])))

    def change(c: Mapping[str, Any]) -> AttributeChange:
        op = next(op for op in ChangeOp if c.get(op.value) is not None)
        return AttributeChange(
            target=ChangeTarget(c["target"]),
            ids=c["ids"],
            field=c["field"],
            op=op,
            value=float(c[op.value]),
            origin=c["origin"],
            origin_line=c["origin_line"],
        )

    changes = tuple(change(c) for c in lists.get("changes", []))
    return Scenario(
        name=top["name"],
        title=title,
        description=top["description"],
        year=int(year),
        date=day,
        base=top.get("base") or "atlas",
        lineage=tuple(p.stem for p, _ in reversed(chain)),
        source_ids=uniq("source_ids"),
        open_projects=uniq("open_projects"),
        open_links=uniq("open_links"),
        close_links=uniq("close_links"),
        close_borders=uniq("close_borders"),
        close_nodes=uniq("close_nodes"),
        close_countries=uniq("close_countries"),
        close_zones=uniq("close_zones"),
        close_projects=uniq("close_projects"),
        changes=changes,
        demand_scale=tuple(
            DemandScale(
                factor=s["factor"],
                flow_ids=s.get("flow_ids") or (),
                origin_countries=s.get("origin_countries") or (),
                destination_countries=s.get("destination_countries") or (),
                commodities=s.get("commodities") or (),
                origin=s["origin"],
                origin_line=s["origin_line"],
            )
            for s in lists.get("demand_scale", [])
        ),
        demand_add=tuple(
            DemandAdd(
                a["flow_id"],
                a["origin_node_id"],
                a["destination_node_id"],
                a["commodity_id"],
                a["tonnes_per_year"],
                a["basis"],
                a["source_ids"],
            )
            for a in lists.get("demand_add", [])
        ),
        risk=tuple(
            RiskChange(
                r["zone_id"],
                r["risk"],
                r.get("name"),
                r.get("country_iso3"),
                r.get("admin1"),
                r.get("basis") or "",
                r.get("source_ids") or (),
            )
            for r in lists.get("risk", [])
        ),
        assignment=AssignmentSettings(**merged["assignment"]),
        ensemble=merged["ensemble"],
        security_as_of=security_as_of,
        path=str(path),
        digest=digest.hexdigest(),
    )
