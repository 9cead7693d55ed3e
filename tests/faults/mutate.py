"""Mutation fuzzing of the atlas and scenario readers: one mutation, one outcome.

A mutation changes one file of an atlas copy (a CSV cell or YAML value replaced, a line
duplicated or deleted, the file truncated, bytes inserted, a YAML bomb). Reading the mutated
atlas (or scenario, then applying it) ends in one of the outcomes of the reliability issue:

- ``clear error``: a :class:`~caravan.errors.CaravanError` with a bounded message;
- ``accepted``: read without complaint, and the mutation is harmless (a note edited);
- ``silently accepted``: read without complaint although the mutation planted a value that
  must be refused (a number outside its schema bounds, a non-decimal numeral, a NUL byte);
- ``traceback``: any other exception;
- ``internal error``: an error message beyond :data:`MAX_MESSAGE_CHARS`;
- ``hang``: no answer within the time limit.

``tests/faults/test_fuzz.py`` draws mutations with hypothesis; ``benchmarks/fuzz.py`` draws
10,000 with a seeded generator and prints the counts.
"""

from __future__ import annotations

import csv
import io
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caravan.errors import CaravanError
from caravan.model.schema import CSV_FILES, YAML_LIST_FILES, Field, Kind

__all__ = [
    "NASTY",
    "OPERATIONS",
    "Mutation",
    "apply_mutation",
    "classify",
    "must_refuse",
]

MAX_MESSAGE_CHARS = 200_000

#: Values planted into cells and YAML values.
NASTY: tuple[str, ...] = (
    "1e308",
    "-1e308",
    "1e300",
    "1e-300",
    "0",
    "-1",
    "-0.5",
    "nan",
    "inf",
    "-inf",
    ".nan",
    ".inf",
    "1_000",
    "٣",
    "²",
    "１２",
    "0x10",
    "0o17",
    "1:30",
    "9" * 400,
    "9" * 5000,
    "2025-02-30",
    "2025-13-45",
    "9999-12-31",
    "=cmd|' /C calc'!A0",
    "<script>x</script>",
    "",
    " ",
    "[1, 2]",
    "{a: 1}",
    "&a x",
    "*a",
    "!!python/object:os.system",
    "'unterminated",
    '"quote,comma"',
    "x" * 3000,
    "12.5",
    "2030",
    "termez",
)

OPERATIONS: tuple[str, ...] = (
    "value",
    "duplicate-line",
    "delete-line",
    "truncate",
    "insert",
    "nul",
    "bad-utf8",
    "bomb",
    "deep",
)

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
_YAML_VALUE = re.compile(r"^(\s*-?\s*)([A-Za-z_][A-Za-z0-9_]*):(\s+)(\S.*)$")


@dataclass(frozen=True)
class Mutation:
    """One mutation: which file, which operation, where (0..1) and with what value."""

    file: str
    operation: str
    position: float
    column: float
    value: str


def _fields_of(file: str) -> dict[str, Field]:
    name = file.rsplit("/", 1)[-1]
    fields = CSV_FILES.get(name) or YAML_LIST_FILES.get(name) or ()
    return {f.name: f for f in fields}


def must_refuse(value: str, field: Field | None) -> bool:
    """Whether a reader must refuse ``value`` in ``field`` (the oracle of silent acceptance).

    Only numbers are judged: a number field must refuse anything that is not a plain decimal
    within the field's bounds (an empty cell is allowed where the field is optional).

    Examples
    --------
    >>> from caravan.model.schema import bounded
    >>> must_refuse("1e308", bounded("length_km")), must_refuse("12", bounded("length_km"))
    (True, False)
    """
    if field is None or field.kind not in (Kind.FLOAT, Kind.INT):
        return False
    text = value.strip().strip("'\"")
    if not text:
        return field.required
    if not _DECIMAL.fullmatch(text) or len(text) > 40:
        return True
    number = float(text)
    if field.kind is Kind.INT and not number.is_integer():
        return True
    low = -float("inf") if field.minimum is None else field.minimum
    high = float("inf") if field.maximum is None else field.maximum
    return not low <= number <= high


def _csv_value(text: str, file: str, m: Mutation) -> tuple[str, bool]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 2:
        return text, False
    line = 1 + int(m.position * (len(rows) - 1)) % (len(rows) - 1)
    row = rows[line]
    if not row:
        return text, False
    col = int(m.column * len(row)) % len(row)
    row[col] = m.value
    header = rows[0]
    field = _fields_of(file).get(header[col]) if col < len(header) else None
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    refuse = must_refuse(m.value, field) and '"' not in m.value and "\n" not in m.value
    return buffer.getvalue(), refuse


def _yaml_value(text: str, file: str, m: Mutation) -> tuple[str, bool]:
    lines = text.split("\n")
    hits = [i for i, ln in enumerate(lines) if _YAML_VALUE.match(ln)]
    if not hits:
        return text, False
    i = hits[int(m.position * len(hits)) % len(hits)]
    match = _YAML_VALUE.match(lines[i])
    assert match is not None
    lead, key, gap, _ = match.groups()
    lines[i] = f"{lead}{key}:{gap}{m.value}"
    field = _fields_of(file).get(key)
    plain = bool(re.fullmatch(r"[^\s:#&*!\[\]{}'\"][^:#]*", m.value))  # read by YAML as itself
    return "\n".join(lines), must_refuse(m.value, field) and plain


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def apply_mutation(folder: Path, m: Mutation) -> bool:
    """Apply a mutation to ``folder/m.file``; return whether the result must be refused."""
    path = folder / m.file
    data = path.read_bytes()
    text = data.decode("utf-8", errors="surrogateescape")
    cut = int(m.position * len(text))
    refuse = False
    if m.operation == "value":
        edit = _csv_value if m.file.endswith(".csv") else _yaml_value
        text, refuse = edit(text, m.file, m)
    elif m.operation in ("duplicate-line", "delete-line"):
        lines = text.split("\n")
        i = int(m.position * len(lines)) % len(lines)
        if m.operation == "duplicate-line":
            lines.insert(i, lines[i])
        else:
            del lines[i]
        text = "\n".join(lines)
    elif m.operation == "truncate":
        text = text[:cut]
    elif m.operation == "insert":
        text = text[:cut] + m.value + text[cut:]
    elif m.operation == "nul":
        text, refuse = text[:cut] + "\0" + text[cut:], True
    elif m.operation == "bad-utf8":
        path.write_bytes(data[:cut] + b"\xff\xfe" + data[cut:])
        return True
    elif m.operation == "bomb":
        text, refuse = (_bomb(), True) if not m.file.endswith(".csv") else (text, False)
    elif m.operation == "deep" and not m.file.endswith(".csv"):
        text, refuse = "- " + "[" * 5000 + "]" * 5000 + "\n", True
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return refuse


class _TimeoutError(Exception):
    pass


def classify(call: Callable[[], Any], *, refuse: bool, timeout_s: int = 20) -> str:
    """The outcome of reading a mutated input (see the module docstring)."""

    def alarm(signum: int, frame: object) -> None:
        raise _TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout_s)
    try:
        call()
    except _TimeoutError:
        return "hang"
    except CaravanError as exc:
        return "clear error" if len(str(exc)) <= MAX_MESSAGE_CHARS else "internal error"
    except Exception:
        return "traceback"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return "silently accepted" if refuse else "accepted"
