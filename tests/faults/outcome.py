"""Running a command on a planted fault and naming the outcome, in-process or as a subprocess."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from caravan.io.atlas import shipped_atlas_path

__all__ = [
    "CLEAR",
    "HANG",
    "INTERNAL",
    "OUTCOMES",
    "SILENT",
    "TRACEBACK",
    "command_args",
    "name_outcome",
    "planted_copy",
    "run_in_process",
    "run_subprocess",
]

CLEAR = "clear error"
SILENT = "silently accepted"
TRACEBACK = "traceback"
INTERNAL = "internal error"
HANG = "hang"
OUTCOMES = (CLEAR, SILENT, TRACEBACK, INTERNAL, HANG)

#: Longest error output counted as a clear message (a 34 MB echo of a YAML bomb is not).
MAX_MESSAGE_CHARS = 200_000


def planted_copy(folder: Path) -> Path:
    """A copy of the shipped atlas (with its scenarios) at ``folder/atlas``."""
    target = folder / "atlas"
    shutil.copytree(shipped_atlas_path(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def command_args(command: str, atlas: Path, scenario: str) -> list[str]:
    """The ``caravan`` arguments of one command of the fault table."""
    if command == "validate":
        return ["atlas", "validate", str(atlas)]
    if command == "route":
        return ["route", "termez", "karachi", "--k", "1", "--atlas", str(atlas)]
    return ["run", scenario, "--json", "--atlas", str(atlas)]


def name_outcome(code: int | None, output: str) -> str:
    """The outcome of a finished command from its exit code and its output (both streams)."""
    if code is None:
        return HANG
    if "Traceback (most recent call last)" in output or code not in (0, 1, 2):
        return TRACEBACK
    if "this is a bug" in output:
        return INTERNAL
    if code == 0:
        return SILENT
    return CLEAR if len(output) <= MAX_MESSAGE_CHARS else INTERNAL


@contextmanager
def _env(env: Mapping[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_MAIN = "import sys; from caravan.cli import main; sys.argv[0] = 'caravan'; main()"


class _TimeoutError(Exception):
    pass


def run_in_process(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: int = 60
) -> tuple[str, str]:
    """Run ``caravan ARGS`` in this process; return (outcome, output)."""
    from typer.testing import CliRunner

    from caravan.cli import app

    def alarm(signum: int, frame: object) -> None:
        raise _TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout_s)
    try:
        with _env({"COLUMNS": "400", **(env or {})}):
            result = CliRunner().invoke(app, list(args))
    except _TimeoutError:
        return HANG, ""
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    output = result.stdout + result.stderr
    if isinstance(result.exception, _TimeoutError):
        return HANG, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return TRACEBACK, f"{result.exception!r}\n{output}"
    return name_outcome(result.exit_code, output), output


def run_subprocess(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: float = 120
) -> tuple[str, str]:
    """Run ``caravan ARGS`` as a subprocess; return (outcome, output)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _MAIN, *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return HANG, ""
    output = done.stdout + done.stderr
    return name_outcome(done.returncode, output), output
