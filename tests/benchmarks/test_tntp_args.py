"""benchmarks/tntp.py: AequilibraE's interpreter is an explicit argument, checked up front."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "tntp.py"


def _tntp() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_tntp", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("given", [None, "missing", "no-aequilibrae"])
def test_a_missing_peer_interpreter_says_how_to_make_one(given: str | None, tmp_path: Path) -> None:
    python = {
        None: None,
        "missing": tmp_path / "no-such-python",
        "no-aequilibrae": Path(sys.executable),  # the test venv has no aequilibrae
    }[given]
    with pytest.raises(SystemExit) as exc:
        _tntp().aeq_python_of(python, skip_hint="pass --no-aeq")
    message = str(exc.value.code)
    assert message.startswith("error: ")
    assert "python3 -m venv benchmarks/.aeq-venv" in message
    assert "pip install aequilibrae scipy" in message
    assert "--aeq-python benchmarks/.aeq-venv/bin/python" in message
    assert "pass --no-aeq" in message
    if given == "missing":
        assert f"{python}: no such file" in message
    if given == "no-aequilibrae":
        assert "cannot import aequilibrae" in message


def test_the_runs_section_stops_before_running_anything_without_the_peer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        _tntp().main(["--no-floor", "--networks", "SiouxFalls", "--gaps", "1e-4"])
    assert "--aeq-python PATH" in str(exc.value.code)
    assert "## runs" not in capsys.readouterr().out
