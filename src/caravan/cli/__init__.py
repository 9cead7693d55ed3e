"""The ``caravan`` command: each subcommand is a thin shell over a library function.

The subcommands are listed in :data:`COMMANDS` and imported only when they run (or when a help
page lists them): starting ``caravan`` costs typer alone, and each command pays only for what it
uses (``caravan tntp`` never imports pandas, ``caravan route`` never imports the web app).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer

from caravan.cli._common import CaravanCommand, CaravanGroup

__all__ = ["COMMANDS", "app", "main"]

#: A click command as typer builds it (typer ships its own click).
Command = Any

#: Each subcommand, in the order of ``caravan --help``, and where it is defined
#: (``module:name``): a Typer app is a group of subcommands, a function one command.
COMMANDS: Mapping[str, str] = {
    "route": "caravan.cli._route:route",
    "run": "caravan.cli._runs:run",
    "compare": "caravan.cli._runs:compare",
    "ensemble": "caravan.cli._ensemble:ensemble",
    "scenarios": "caravan.cli._runs:scenarios",
    "skims": "caravan.cli._skims:skims",
    "report": "caravan.cli._report:report",
    "serve": "caravan.cli._serve:serve",
    "demo": "caravan.cli._demo:demo",
    "calibrate": "caravan.cli._calibrate:calibrate",
    "atlas": "caravan.cli._atlas:app",
    "tntp": "caravan.cli._tntp:app",
    "claims": "caravan.cli._claims:app",
    "security": "caravan.cli._security:app",
    "validate": "caravan.cli._validate:app",
}


def load_command(name: str, where: str) -> Command:
    """The click command of one subcommand, imported from ``module:name`` and built as the root
    app would build it had it been registered there (``add_typer`` or ``command``)."""
    module, _, attr = where.partition(":")
    # imported here, not at start-up: a command's module brings what the command needs
    target = getattr(importlib.import_module(module), attr)
    holder = typer.Typer(cls=CaravanGroup, add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name, cls=CaravanCommand)(target)
    return typer.main.get_group(holder).commands[name]


class _LazyCommands(MutableMapping[str, Command]):
    """The subcommands of :data:`COMMANDS`, each loaded on first use and kept."""

    def __init__(self, where: Mapping[str, str], loaded: Mapping[str, Command]) -> None:
        self._where = where
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in self._where:
                raise KeyError(name)
            self._loaded[name] = load_command(name, self._where[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._where, *self._loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._where, *self._loaded]))


class _Caravan(CaravanGroup):
    """The root group: its subcommands come from :data:`COMMANDS`, loaded when used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(COMMANDS, self.commands)


app = typer.Typer(
    cls=_Caravan,
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


def main() -> None:
    """Run the ``caravan`` command line."""
    app()
