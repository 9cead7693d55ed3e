"""Shared helpers of the CLI: the console and turning Caravan errors into clean exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from caravan.errors import CaravanError

__all__ = ["console", "err_console", "fail_on_caravan_error"]


def console() -> Console:
    """The console for results (standard output)."""
    return Console(soft_wrap=True)


def err_console() -> Console:
    """The console for errors (standard error)."""
    return Console(stderr=True, soft_wrap=True)


@contextmanager
def fail_on_caravan_error(exit_code: int = 2) -> Iterator[None]:
    """Print a :class:`CaravanError` as a one-paragraph message and exit, never a traceback."""
    try:
        yield
    except CaravanError as exc:
        err_console().print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False)
        raise typer.Exit(exit_code) from None
