"""``caravan serve``: the web app with the map (being built: issue 6)."""

from __future__ import annotations

import typer


def serve() -> None:
    """Serve the web app on 127.0.0.1 (being built: issue 6)."""
    raise typer.Exit(3)
