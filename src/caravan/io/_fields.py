"""Turning text cells and YAML values into typed values, collecting problems instead of raising."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from caravan.errors import Problem
from caravan.model.schema import BOUNDS, NESTED, Field, Kind, quantity_of
from caravan.model.values import clip, parse_date, parse_decimal, parse_whole, shown

__all__ = ["parse_csv_cell", "parse_record"]

_EXPECT = {
    Kind.FLOAT: "a number",
    Kind.INT: "a whole number",
    Kind.BOOL: "true or false",
    Kind.DATE: "a date YYYY, YYYY-MM or YYYY-MM-DD",
    Kind.LIST: "a list",
    Kind.RANGE: "a number or {value, low, high}",
    Kind.MAPPING: "a mapping",
    Kind.RECORDS: "a list of mappings",
    Kind.STR: "text",
}


def _bounds(value: float, spec: Field) -> str | None:
    low, high = spec.minimum, spec.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return f"{spec.name} must be between {low:g} and {high:g} (got {value:.6g})"
    if low is not None:
        return f"{spec.name} must be at least {low:g} (got {value:.6g})"
    return f"{spec.name} must be at most {high:g} (got {value:.6g})"


def _number_text(raw: Any) -> str:
    if isinstance(raw, (bool, Mapping, list, tuple)):
        raise ValueError
    return raw if isinstance(raw, str) else repr(raw)


def _scalar(raw: Any, spec: Field) -> tuple[Any, str | None]:
    """Convert one non-empty value; return (value, error message or None)."""
    kind = spec.kind
    try:
        if kind is Kind.STR:
            if isinstance(raw, (Mapping, list)):
                return None, f"expected {_EXPECT[kind]}, got {type(raw).__name__}"
            value: Any = str(raw).strip()
        elif kind is Kind.FLOAT:
            if isinstance(raw, float) and not math.isfinite(raw):
                return None, f"{raw!r} is not a finite number"
            value = (
                float(raw)
                if isinstance(raw, (int, float)) and not isinstance(raw, bool)
                else (parse_decimal(_number_text(raw)))
            )
            err = _bounds(value, spec)
            if err:
                return None, err
        elif kind is Kind.INT:
            if isinstance(raw, int) and not isinstance(raw, bool):
                value = raw
            elif isinstance(raw, float) and raw.is_integer():
                value = int(raw)
            else:
                value = parse_whole(_number_text(raw))
            err = _bounds(value, spec)
            if err:
                return None, err
        elif kind is Kind.BOOL:
            text = str(raw).strip().lower()
            if text not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError
            value = text in {"true", "1", "yes"}
        elif kind is Kind.DATE:
            if isinstance(raw, (dt.date, dt.datetime)):
                value = raw.isoformat()[:10]
            elif isinstance(raw, (Mapping, list, bool, float)):
                raise ValueError
            else:
                value = parse_date(str(raw))
        else:  # pragma: no cover - handled by callers
            value = raw
    except (ValueError, TypeError, OverflowError) as exc:
        detail = str(exc)
        if detail and kind in (Kind.FLOAT, Kind.INT, Kind.DATE):
            return None, detail
        return None, f"{shown(raw)} is not {_EXPECT[kind]}"
    if spec.vocab and str(value) not in spec.vocab:
        return None, f"{shown(raw)} is not one of {', '.join(spec.vocab)}"
    return value, None


def parse_csv_cell(text: str, spec: Field) -> tuple[Any, str | None]:
    """Parse one CSV cell; an empty cell is ``None`` (an empty tuple for lists).

    Examples
    --------
    >>> from caravan.model.schema import Field, Kind
    >>> parse_csv_cell("12.5", Field("length_km", Kind.FLOAT))
    (12.5, None)
    >>> parse_csv_cell("a; b", Field("aliases", Kind.LIST))
    (('a', 'b'), None)
    >>> parse_csv_cell("x", Field("lat", Kind.FLOAT))
    (None, "'x' is not a plain decimal number (digits 0-9)")
    """
    text = text.strip()
    if spec.kind is Kind.LIST:
        return tuple(part.strip() for part in text.split(";") if part.strip()), None
    if text == "":
        return None, None
    return _scalar(text, spec)


def _fix_for(spec: Field) -> str:
    if spec.vocab:
        return f"use one of: {', '.join(spec.vocab)}"
    if spec.kind in (Kind.FLOAT, Kind.INT) and (
        spec.minimum is not None or spec.maximum is not None
    ):
        lo = "-inf" if spec.minimum is None else f"{spec.minimum:g}"
        hi = "inf" if spec.maximum is None else f"{spec.maximum:g}"
        return f"give {_EXPECT[spec.kind]} between {lo} and {hi}"
    return f"give {_EXPECT[spec.kind]}"


def cell_problem(file: str, row: int | None, spec: Field, message: str) -> Problem:
    """A problem with one value, with the fix that fits its field."""
    return Problem(file, row, spec.name, message, _fix_for(spec))


def _yaml_value(raw: Any, spec: Field, file: str, row: int, path: str) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []

    def bad(message: str) -> tuple[Any, list[Problem]]:
        fix = _fix_for(spec)
        return None, [Problem(file, row, path, message, fix)]

    if raw is None:
        return (() if spec.kind is Kind.LIST else None), []
    if spec.kind is Kind.LIST:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or any(isinstance(x, (list, Mapping)) for x in raw):
            return bad(f"expected a list of values, got {type(raw).__name__}")
        return tuple(str(x).strip() for x in raw if str(x).strip()), []
    if spec.kind is Kind.RANGE:
        if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
            raw = {"value": raw}
        if not isinstance(raw, Mapping):
            return bad(f"expected a number or {{value, low, high}}, got {type(raw).__name__}")
        out: dict[str, float | None] = {}
        quantity = quantity_of(spec.name)
        low, high = BOUNDS[quantity] if quantity else (0.0, None)
        for key in ("value", "low", "high"):
            v = raw.get(key)
            if v is None:
                out[key] = None
                continue
            bound = Field(f"{spec.name}.{key}", Kind.FLOAT, minimum=low, maximum=high)
            num, err = _scalar(v, bound)
            if err:
                problems.append(Problem(file, row, f"{path}.{key}", err, _fix_for(bound)))
            out[key] = num
        unknown = sorted(set(map(str, raw)) - {"value", "low", "high", "basis", "notes"})
        for key in unknown:
            problems.append(
                Problem(file, row, f"{path}.{key}", "unknown key", "use value, low, high")
            )
        if out["value"] is None and not problems:
            problems.append(
                Problem(file, row, f"{path}.value", "missing chosen value", "add value: N")
            )
        lo, val, hi = out["low"], out["value"], out["high"]
        if None not in (lo, val, hi) and not (lo <= val <= hi):  # type: ignore[operator]
            problems.append(
                Problem(
                    file,
                    row,
                    path,
                    f"value {val:g} is not within low {lo:g} .. high {hi:g}",
                    "put the chosen value inside its range",
                )
            )
        return out, problems
    if spec.kind is Kind.MAPPING:
        if not isinstance(raw, Mapping):
            return bad(f"expected a mapping, got {type(raw).__name__}")
        return parse_record(raw, NESTED[spec.name], file=file, row=row, prefix=f"{path}.")
    if spec.kind is Kind.RECORDS:
        if not isinstance(raw, list):
            return bad(f"expected a list of mappings, got {type(raw).__name__}")
        records = []
        for i, item in enumerate(raw, start=1):
            if not isinstance(item, Mapping):
                problems.append(
                    Problem(file, row, f"{path}[{i}]", "expected a mapping", "use key: value")
                )
                continue
            rec, probs = parse_record(
                item, NESTED[spec.name], file=file, row=row, prefix=f"{path}[{i}]."
            )
            problems += probs
            records.append(rec)
        return records, problems
    value, err = _scalar(raw, spec)
    if err:
        return None, [Problem(file, row, path, err, _fix_for(spec))]
    if isinstance(value, str) and value == "":
        return None, []
    return value, []


def parse_record(
    raw: Mapping[Any, Any],
    fields: Sequence[Field],
    *,
    file: str,
    row: int,
    prefix: str = "",
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse a YAML mapping against its fields; report unknown keys and missing required ones."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    known = {f.name for f in fields}
    for key in raw:
        if str(key) not in known:
            problems.append(
                Problem(
                    file,
                    row,
                    f"{prefix}{clip(str(key), 40)}",
                    "unknown key",
                    f"remove it or use one of: {', '.join(sorted(known))}",
                )
            )
    for spec in fields:
        value, probs = _yaml_value(raw.get(spec.name), spec, file, row, f"{prefix}{spec.name}")
        problems += probs
        if spec.required and not probs and value in (None, (), ""):
            problems.append(
                Problem(
                    file, row, f"{prefix}{spec.name}", "missing required value", f"add {spec.name}"
                )
            )
        out[spec.name] = value
    return out, problems
