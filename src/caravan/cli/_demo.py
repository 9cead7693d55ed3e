"""``caravan demo``: the main job on the shipped atlas."""

from __future__ import annotations

import typer

from caravan.cli._common import console, fail_on_caravan_error


def demo() -> None:
    """Validate the shipped atlas and print its summary (grows with later features)."""
    from caravan.io.atlas import load_atlas

    with fail_on_caravan_error():
        atlas = load_atlas()
    console().print(f"[bold]{atlas.name}[/bold]: {len(atlas.nodes)} nodes, {len(atlas.links)} links")
    raise typer.Exit(0)
