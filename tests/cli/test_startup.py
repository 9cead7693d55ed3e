"""What starting ``caravan`` imports: typer alone; each command only what it uses.

Each check runs a fresh interpreter (a subprocess), since this one has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SIOUX = Path(__file__).resolve().parents[1] / "data" / "SiouxFalls"

#: Runs the CLI with the given arguments, then prints the top-level packages it imported.
_SCRIPT = """
import json, sys
sys.argv = ["caravan", *json.loads(sys.argv[1])]
try:
    from caravan.cli import main
    if len(sys.argv) > 1:
        main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}),
      file=sys.stderr)
"""


def _imported(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def test_importing_the_cli_imports_no_pandas_numpy_rich_or_pydantic() -> None:
    code, modules = _imported()
    assert code == 0
    assert "typer" in modules
    assert not modules & {"pandas", "numpy", "rich", "pydantic", "pyarrow", "fastapi"}


def test_tntp_pays_for_neither_pandas_nor_rich_when_piped() -> None:
    code, modules = _imported("tntp", "assign", str(SIOUX), "-a", "fw", "--max-iter", "2", "--json")
    assert code in (0, None)
    assert "numpy" in modules  # it did solve
    assert not modules & {"pandas", "rich", "pyarrow"}


def test_route_loads_its_own_command_only() -> None:
    code, modules = _imported("route", "--help")
    assert code == 0
    assert not modules & {"fastapi", "matplotlib", "jinja2", "dask"}
