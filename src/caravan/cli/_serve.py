"""``caravan serve``: the web app with the map, route planner and scenario comparison."""

from __future__ import annotations

from pathlib import Path

import typer

from caravan.cli._common import console, err_console, fail_on_caravan_error

__all__ = ["serve"]


def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to bind. Anything but loopback needs --token.",
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    atlas: Path | None = typer.Option(
        None,
        "--atlas",
        metavar="PATH",
        help="Atlas folder to serve (the shipped Trans-Eurasian atlas by default).",
    ),
    route_processes: int = typer.Option(
        2,
        "--route-processes",
        min=0,
        max=64,
        help="Worker processes that compute routes (0: threads of the server's process).",
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="CARAVAN_TOKEN",
        help="Token that starting a run needs (header X-Caravan-Token); required off loopback.",
        show_envvar=True,
    ),
) -> None:
    """Serve the web app: the atlas on a map, routes, scenario runs and comparisons.

    Nothing is loaded from the internet: the map library and the country outlines ship with
    Caravan. API docs are at /docs.
    """
    from caravan.web import Limits, create_app
    from caravan.web.security import is_loopback

    if not is_loopback(host) and not token:
        err_console().print(
            f"[bold red]error:[/bold red] refusing to serve on {host} without a token: anyone "
            "who can reach it could start runs. Give --token (or set CARAVAN_TOKEN), or bind to "
            "127.0.0.1.",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(2)
    with fail_on_caravan_error():
        app = create_app(
            atlas_path=atlas,
            token=token,
            host=host,
            limits=Limits(route_processes=route_processes),
        )
    from caravan.web.server import run_server

    shown = f"[{host}]" if ":" in host else host
    out = console()
    out.print(f"Caravan serving {app.state.caravan.atlas.name} at http://{shown}:{port}/")
    out.print(f"API docs: http://{shown}:{port}/docs  (Ctrl-C to stop)")
    if token:
        out.print("Starting runs needs the token (header X-Caravan-Token).")
    run_server(app, host=host, port=port)
