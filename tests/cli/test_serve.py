"""``caravan serve`` in-process: safe defaults, the URL printed, uvicorn started with the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caravan.cli import app

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"

runner = CliRunner()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of ``caravan.web.server.run_server``, replaced so that nothing listens."""
    from caravan.web import server

    calls: list[dict[str, Any]] = []

    def fake_run(asgi: Any, **kwargs: Any) -> None:
        calls.append({"app": asgi, **kwargs})

    monkeypatch.setattr(server, "run_server", fake_run)
    monkeypatch.delenv("CARAVAN_TOKEN", raising=False)
    return calls


def test_serves_on_loopback_by_default(started: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["serve", "--atlas", str(ROUTE_ATLAS), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    assert "/docs" in result.output
    (call,) = started
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    state = call["app"].state.caravan
    assert state.atlas.name == "Route test atlas"
    assert state.token is None


def test_refuses_a_public_address_without_a_token(started: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--atlas", str(ROUTE_ATLAS)])
    assert result.exit_code == 2
    assert "--token" in result.output and "CARAVAN_TOKEN" in result.output
    assert "Traceback" not in result.output
    assert started == []


def test_token_from_the_environment(
    started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARAVAN_TOKEN", "s3cret")
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--atlas", str(ROUTE_ATLAS)])
    assert result.exit_code == 0, result.output
    (call,) = started
    assert call["host"] == "0.0.0.0"
    assert call["app"].state.caravan.token == "s3cret"
    assert "token" in result.output


def test_bad_atlas_is_a_clean_error(started: list[dict[str, Any]], tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--atlas", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "error" in result.output
    assert "Traceback" not in result.output
    assert started == []


def test_port_out_of_range_is_refused(started: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert started == []
