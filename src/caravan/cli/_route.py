"""``caravan route FROM TO``: least-cost and alternative routes on the atlas."""

from __future__ import annotations

import typer


def route(
    origin: str = typer.Argument(..., metavar="FROM", help="Place id, name or alias."),
    destination: str = typer.Argument(..., metavar="TO", help="Place id, name or alias."),
) -> None:
    """Least-cost and alternative routes between two places (being built: issue 3)."""
    raise typer.Exit(3)
