"""``caravan atlas ...``: validate, show and export an atlas."""

from __future__ import annotations

import typer

app = typer.Typer(help="Validate, summarise and export an atlas.", no_args_is_help=True)
