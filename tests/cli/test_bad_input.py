"""Bad input to the everyday commands, in-process: a clear error and exit 2, never a traceback.

Each case is one mistake a user makes (a wrong name, a bad flag, a malformed scenario file or
table, a corrupt atlas row). The message must say what is wrong and where (the argument, file,
row or field) and how to mend it; every case here fails before any model work is done.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dask
import distributed  # noqa: F401  (its config defaults, before dask.config.set below)
import pytest
from typer.testing import CliRunner

from caravan.cli import app

from ..conftest import TINY_ATLAS


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}")
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output
    return result.exit_code, " ".join(output.split())  # rich wraps long lines


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of bad inputs, outside any atlas."""
    folder = tmp_path_factory.mktemp("bad")
    texts = {
        "unclosed.yaml": "name: x\nyear: [2030\n",
        "list.yaml": "- a\n- b\n",
        "own-base.yaml": "name: x\ndescription: d\nbase: baseline-2025\nyear: 2030\n",
        "spec.yaml": "draws: many\n",
        "routes-no-header.csv": "a,b\n1,2\n",
        "routes-bad-row.csv": "pair_id,origin,destination,source_ids\n,Kabul,Karachi,x\n",
        "observed.csv": "count_id,foo\n1,2\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "binary.yaml").write_bytes(b"\xff\xfe\x00bad")
    (folder / "routes-binary.csv").write_bytes(b"pair_id,origin\n\xff,x\n")
    return folder


# (arguments, fragments the message must hold); {bad} is the folder of bad inputs
CASES: dict[str, tuple[list[str], list[str]]] = {
    "run: unknown scenario": (["run", "baseline-2052"], ["unknown scenario", "baseline-2025"]),
    "run: missing file": (["run", "{bad}/none.yaml"], ["none.yaml", "does not exist"]),
    "run: malformed YAML": (["run", "{bad}/unclosed.yaml"], ["unclosed.yaml, row 3", "fix:"]),
    "run: YAML list": (["run", "{bad}/list.yaml"], ["must be a mapping", "fix:"]),
    "run: not UTF-8": (["run", "{bad}/binary.yaml"], ["not valid UTF-8", "save the file"]),
    "run: base by name outside the atlas": (
        ["run", "{bad}/own-base.yaml"],
        ["unknown scenario 'baseline-2025' as a base", "fix:", "base: <atlas>/scenarios/"],
    ),
    "run: unknown method": (
        ["run", "baseline-2025", "--method", "teleport"],
        ["unknown assignment method 'teleport'", "aon, sue, ue"],
    ),
    "run: bad date": (["run", "baseline-2025", "--date", "2025-13-01"], ["2025-13-01"]),
    "run: bad as-of": (["run", "baseline-2025", "--as-of", "yesterday"], ["'yesterday'"]),
    "run: missing atlas": (["run", "baseline-2025", "--atlas", "/nonexistent"], ["/nonexistent"]),
    "run: unknown flag": (["run", "baseline-2025", "--frobnicate"], ["No such option"]),
    "route: unknown place": (["route", "Atlantis", "Karachi"], ["unknown place 'Atlantis'"]),
    "route: year": (["route", "Tashkent", "Karachi", "--year", "3000"], ["1990..2100"]),
    "route: commodity": (
        ["route", "Tashkent", "Karachi", "--commodity", "unobtainium"],
        ["unknown commodity", "container"],
    ),
    "route: --by": (["route", "Tashkent", "Karachi", "--by", "speed"], ["'speed'", "'cost'"]),
    "route: -k 0": (["route", "Tashkent", "Karachi", "-k", "0"], ["'-k'"]),
    "route: unknown project": (
        ["route", "Tashkent", "Karachi", "--open", "atlantis-rail"],
        ["unknown project 'atlantis-rail'"],
    ),
    "compare: unknown B": (["compare", "baseline-2025", "nope"], ["unknown scenario 'nope'"]),
    "ensemble: unknown --vs": (
        ["ensemble", "kabul-corridor", "--vs", "nope", "--in-process"],
        ["unknown scenario 'nope'"],
    ),
    "ensemble: --draws 0": (
        ["ensemble", "kabul-corridor", "--draws", "0", "--in-process"],
        ["field 'draws'", "1 .. 1000000"],
    ),
    "ensemble: bad spec value overridden by --draws": (
        ["ensemble", "kabul-corridor", "--spec", "{bad}/spec.yaml", "--draws", "2"],
        ["spec.yaml, field 'draws'", "'many'"],
    ),
    "ensemble: two executors": (
        ["ensemble", "kabul-corridor", "--in-process", "--local-cluster"],
        ["--local-cluster and --in-process", "at most one"],
    ),
    "ensemble: empty scheduler": (
        ["ensemble", "kabul-corridor", "--scheduler", " ", "--draws", "2"],
        ["scheduler address is empty", "tcp://host:8786"],
    ),
    "ensemble: not a scheduler address": (
        ["ensemble", "kabul-corridor", "--scheduler", "nowhere", "--draws", "2"],
        ["'nowhere' is not a Dask scheduler address"],
    ),
    "ensemble: unreachable scheduler": (
        ["ensemble", "kabul-corridor", "--scheduler", "tcp://127.0.0.1:9", "--draws", "2"],
        ["could not reach the Dask scheduler", "drop --scheduler"],
    ),
    "calibrate: --holdout with no id": (
        ["calibrate", "--holdout", ",,", "--dry-run"],
        ["--holdout ',,' names no id", "leave --holdout out"],
    ),
    "calibrate: unknown hold-out": (
        ["calibrate", "--holdout", "nope-count", "--dry-run"],
        ["unknown count id(s) nope-count", "observed.csv"],
    ),
    "validate counts: --holdout with no id": (
        ["validate", "counts", "--holdout", " , "],
        ["--holdout ' , ' names no id"],
    ),
    "validate counts: bad observed": (
        ["validate", "counts", "--observed", "{bad}/observed.csv"],
        ["field 'observed_tonnes'", "required column is missing"],
    ),
    "validate routes: missing": (["validate", "routes", "{bad}/none.csv"], ["none.csv"]),
    "validate routes: not UTF-8": (
        ["validate", "routes", "{bad}/routes-binary.csv"],
        ["routes-binary.csv line 2", "not valid UTF-8", "save the file as UTF-8"],
    ),
    "validate routes: header": (
        ["validate", "routes", "{bad}/routes-no-header.csv"],
        ["routes-no-header.csv: the header lacks", "pair_id", "fix:"],
    ),
    "validate routes: row names its file": (
        ["validate", "routes", "{bad}/routes-bad-row.csv"],
        ["routes-bad-row.csv line 2: pair_id is empty"],
    ),
    "atlas show: missing": (["atlas", "show", "/nonexistent"], ["/nonexistent"]),
    "atlas export: format": (["atlas", "export", "{bad}/x", "--format", "kml"], ["'kml'"]),
    "atlas export: unwritable": (
        ["atlas", "export", "/proc/nope/out", "--format", "geojson"],
        ["cannot write /proc/nope/out"],
    ),
    "skims: zones": (
        ["skims", "baseline-2025", "--out", "{bad}/s.omx", "--zones", "kabull,atlantis"],
        ["zones not in the atlas: kabull, atlantis", "did you mean 'kabul'?"],
    ),
    "skims: --zones with no id": (
        ["skims", "baseline-2025", "--out", "{bad}/s.omx", "--zones", ","],
        ["--zones ',' names no id"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_a_clear_error(name: str, files: Path) -> None:
    args, fragments = CASES[name]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, text = _run([a.replace("{bad}", str(files)) for a in args])
    assert code == 2, text
    for fragment in fragments:
        assert fragment.replace("{bad}", str(files)) in text, text


def _corrupt(tmp_path: Path, line_of_links: str) -> Path:
    """The tiny atlas with its second link row replaced by ``line_of_links``."""
    atlas = tmp_path / "atlas"
    shutil.copytree(TINY_ATLAS, atlas)
    lines = (atlas / "links.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = line_of_links.format(row=lines[2])
    (atlas / "links.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return atlas


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("{row},extra,more", "links.csv, row 3: has"),
        ("r-x,a", "links.csv, row 3: has 2 fields"),
        ('{row},"unclosed', "links.csv, row"),
    ],
)
@pytest.mark.parametrize("command", [["atlas", "show"], ["route", "a", "b"], ["run", "x"]])
def test_a_corrupt_atlas_row_is_named_by_every_command(
    tmp_path: Path, row: str, fragment: str, command: list[str]
) -> None:
    atlas = _corrupt(tmp_path, row)
    code, text = _run([*command, "--atlas", str(atlas)])
    assert code == 2, text
    assert fragment in text and "fix:" in text, text
