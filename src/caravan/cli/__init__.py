"""The ``caravan`` command: each subcommand is a thin shell over a library function."""

from __future__ import annotations

import typer

from caravan.cli import (
    _atlas,
    _calibrate,
    _claims,
    _demo,
    _ensemble,
    _report,
    _route,
    _runs,
    _security,
    _serve,
    _skims,
    _tntp,
    _validate,
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="caravan",
    help="Freight corridors across Eurasia: atlas, routes, flows, transit by country.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(_atlas.app, name="atlas")
app.add_typer(_tntp.app, name="tntp")
app.add_typer(_claims.app, name="claims")
app.add_typer(_security.app, name="security")
app.add_typer(_validate.app, name="validate")
app.command("route")(_route.route)
app.command("run")(_runs.run)
app.command("compare")(_runs.compare)
app.command("ensemble")(_ensemble.ensemble)
app.command("scenarios")(_runs.scenarios)
app.command("skims")(_skims.skims)
app.command("report")(_report.report)
app.command("serve")(_serve.serve)
app.command("demo")(_demo.demo)
app.command("calibrate")(_calibrate.calibrate)


def main() -> None:
    """Run the ``caravan`` command line."""
    app()
