"""``caravan tntp ...``: assignment on the TNTP benchmark networks."""

from __future__ import annotations

import typer

app = typer.Typer(help="Equilibrium assignment on TNTP benchmark networks.", no_args_is_help=True)
