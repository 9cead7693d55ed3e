"""Shared helpers of the CLI: the console, strict JSON output, clean exits on Caravan errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from caravan.errors import CaravanError, InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = [
    "CaravanCommand",
    "CaravanGroup",
    "console",
    "err_console",
    "fail_on_caravan_error",
    "json_text",
    "jsonable",
    "new_table",
    "print_json",
    "split_ids",
]

#: Width of the tables when the output is not a terminal (a file, a pipe, a test).
DEFAULT_WIDTH = 80


def console(*, wide: bool = False) -> Console:
    """The console for results (standard output); ``wide`` never wraps or folds tables."""
    # rich is imported when a command prints, not when the CLI starts (``caravan tntp --json``)
    from rich.console import Console

    if wide:
        return Console(soft_wrap=True, width=10_000)
    return Console(soft_wrap=True)


def new_table(title: str | None, columns: Sequence[str], *, lines: bool = False) -> Table:
    """A table whose id columns are never cut: ``columns`` named ``"id:name"`` never wrap,
    ``"num:name"`` are right-aligned numbers that never wrap, plain names wrap (folding
    words longer than the column), so the table fits 80 columns by wrapping prose only."""
    from rich.table import Table  # imported when a command prints (see console())

    table = Table(title=title, title_justify="left", show_lines=lines)
    for spec in columns:
        kind, _, name = spec.partition(":") if spec.startswith(("id:", "num:")) else ("", "", spec)
        if kind == "id":
            table.add_column(name, no_wrap=True)
        elif kind == "num":
            table.add_column(name, justify="right", no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    return table


def err_console() -> Console:
    """The console for errors (standard error)."""
    from rich.console import Console  # imported when a command prints (see console())

    return Console(stderr=True, soft_wrap=True)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: no NaN or infinity (``None``), lists for tuples and arrays.

    Numpy and pandas scalars become Python numbers, dates ISO text, enums their value, paths
    text, dataclasses their fields; anything else unknown becomes its ``str``.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": float("nan"), "b": (1, np.int64(2)), "c": [np.float64("inf")]})
    {'a': None, 'b': [1, 2], 'c': [None]}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return jsonable(tolist())
    if _is_missing(value):
        return None
    isoformat = getattr(value, "isoformat", None)  # pandas Timestamp
    if callable(isoformat):
        return isoformat()
    return str(value)


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def json_text(data: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of ``data`` (what :func:`jsonable` makes of it; never NaN)."""
    return json.dumps(jsonable(data), indent=indent, ensure_ascii=False, allow_nan=False)


def print_json(data: Any, *, indent: int | None = None) -> None:
    """Print ``data`` as strict JSON on standard output."""
    typer.echo(json_text(data, indent=indent))


def _conventional(params: list[Any]) -> list[Any]:
    """Help labels by the usual conventions: flags without a type, arguments in capitals."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
        elif isinstance(param, TyperArgument) and param.metavar is None and param.name:
            param.metavar = param.name.upper()
    return params


class CaravanCommand(TyperCommand):
    """A command whose help shows flags without ``<bool>`` and arguments as ``NAME``."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))


class CaravanGroup(TyperGroup):
    """A command group whose commands (and its own help) follow :class:`CaravanCommand`."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))


@contextmanager
def fail_on_caravan_error(exit_code: int = 2) -> Iterator[None]:
    """Print a :class:`CaravanError` as a one-paragraph message and exit, never a traceback."""
    try:
        yield
    except CaravanError as exc:
        err_console().print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False)
        raise typer.Exit(exit_code) from None


def split_ids(text: str | None, *, option: str, example: str) -> list[str] | None:
    """The ids of a comma-separated option; ``None`` when the option is not given.

    An option given with no id in it (``--holdout ,``) is an error, not the default.

    Examples
    --------
    >>> split_ids(" dostyk, aktau ", option="--holdout", example="dostyk,aktau")
    ['dostyk', 'aktau']
    >>> split_ids(None, option="--holdout", example="dostyk,aktau") is None
    True
    """
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise InputError(
            f"{option} {text!r} names no id; give comma-separated ids (e.g. {option} "
            f"{example}), or leave {option} out for the default"
        )
    return ids
