"""``caravan atlas import`` in-process: the atlas written, its gaps listed, exit 1 until filled."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from caravan.cli import app
from caravan.io.atlas import shipped_atlas_path

from ..io.test_osm import write_fixture

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}")
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output
    return result.exit_code, output


def test_import_osm_lists_what_to_fill(tmp_path: Path) -> None:
    pbf = write_fixture(tmp_path / "caspian.osm.pbf")
    out = tmp_path / "atlas"
    code, text = _run(
        "atlas", "import", "--from", "osm", str(pbf), str(out),
        "--defaults-from", str(shipped_atlas_path()), "--assume-open-by", "2000",
        "--modes", "rail,road,ferry",
    )  # fmt: skip
    assert code == 1
    assert "9 nodes, 8 links, 1 borders" in " ".join(text.split())
    assert "dwell_h_ab" in text and "values to fill" in text
    code, text = _run("atlas", "validate", str(out))
    assert code == 1 and "dwell_h_ab" in text


def test_import_gmns_of_an_export_is_clean(tmp_path: Path, tiny_path: Path) -> None:
    assert (
        _run("atlas", "export", str(tmp_path / "g"), "-f", "gmns", "--atlas", str(tiny_path))[0]
        == 0
    )
    code, text = _run("atlas", "import", "--from", "gmns", str(tmp_path / "g"), str(tmp_path / "a"))
    assert code == 0, text
    assert _run("atlas", "validate", str(tmp_path / "a"))[0] == 0


def test_import_json_lists_the_values_to_fill(tmp_path: Path) -> None:
    pbf = write_fixture(tmp_path / "caspian.osm.pbf")
    out = tmp_path / "atlas"
    code, text = _run(
        "atlas", "import", "--from", "osm", str(pbf), str(out), "--json",
        "--defaults-from", str(shipped_atlas_path()), "--assume-open-by", "2000",
    )  # fmt: skip
    assert code == 1
    payload = json.loads(text, parse_constant=_refuse)
    assert (payload["n_nodes"], payload["n_links"], payload["n_borders"]) == (9, 8, 1)
    assert payload["ok"] is False
    assert {"dwell_h_ab"} <= {p["field"] for p in payload["problems"]}


def _refuse(name: str) -> None:
    raise AssertionError(f"non-strict JSON constant {name}")


def test_import_errors_are_messages(tmp_path: Path) -> None:
    code, text = _run("atlas", "import", "--from", "shapefile", str(tmp_path), str(tmp_path / "a"))
    assert code == 2 and "'shapefile' is not one of" in " ".join(text.split())
    code, text = _run(
        "atlas", "import", "--from", "osm", str(tmp_path / "no.pbf"), str(tmp_path / "a")
    )
    assert code == 2 and "does not exist" in text
