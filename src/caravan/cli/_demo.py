"""``caravan demo``: the main job on the shipped atlas."""

from __future__ import annotations

import typer

from caravan.cli._atlas import handled, print_problems, print_summary
from caravan.cli._common import console
from caravan.errors import AtlasValidationError

__all__ = ["demo"]


def demo() -> None:
    """Validate the shipped atlas and print its summary (grows with later features)."""
    from caravan.io.atlas import load_atlas, shipped_atlas_path

    out = console()
    with handled():
        try:
            atlas = load_atlas()
        except AtlasValidationError as exc:
            print_problems(out, exc.problems, str(shipped_atlas_path()))
            raise typer.Exit(1) from None
    out.print("[green]✓[/green] the shipped atlas validates: no problems", highlight=False)
    print_summary(out, atlas.summary())
