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
from caravan.cli._common import CaravanCommand, CaravanGroup

__all__ = ["app", "main"]

app = typer.Typer(
    cls=CaravanGroup,
    name="caravan",
    help="Freight corridors across Eurasia: atlas, routes, flows, transit by country.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("caravan")
        except PackageNotFoundError:  # running from a source tree that was not installed
            text = "unknown (not installed)"
        typer.echo(f"caravan {text}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print Caravan's version and exit.",
    ),
) -> None:
    """Freight corridors across Eurasia: atlas, routes, flows, transit by country."""


app.add_typer(_atlas.app, name="atlas")
app.add_typer(_tntp.app, name="tntp")
app.add_typer(_claims.app, name="claims")
app.add_typer(_security.app, name="security")
app.add_typer(_validate.app, name="validate")
app.command("route", cls=CaravanCommand)(_route.route)
app.command("run", cls=CaravanCommand)(_runs.run)
app.command("compare", cls=CaravanCommand)(_runs.compare)
app.command("ensemble", cls=CaravanCommand)(_ensemble.ensemble)
app.command("scenarios", cls=CaravanCommand)(_runs.scenarios)
app.command("skims", cls=CaravanCommand)(_skims.skims)
app.command("report", cls=CaravanCommand)(_report.report)
app.command("serve", cls=CaravanCommand)(_serve.serve)
app.command("demo", cls=CaravanCommand)(_demo.demo)
app.command("calibrate", cls=CaravanCommand)(_calibrate.calibrate)


def main() -> None:
    """Run the ``caravan`` command line."""
    app()
