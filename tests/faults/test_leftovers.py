"""A writer killed with SIGKILL leaves a hidden temporary folder; the next write removes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from caravan.io.runs import OWNER_FILE, _replace_folder, sweep_stale_temp

_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from caravan.io.runs import _replace_folder

    def fill(folder):
        (folder / "flows.parquet").write_bytes(b"partial")
        print("filling", flush=True)
        time.sleep(600)

    _replace_folder(Path(sys.argv[1]), fill)
    """
)


def _temps(parent: Path, name: str) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(f".{name}.")]


def test_killed_writer_leaves_a_folder_the_next_run_removes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "filling"
    (left,) = _temps(tmp_path, "run")
    assert (left / OWNER_FILE).is_file()
    assert sweep_stale_temp(out) == []  # its writer is alive: left alone
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert not out.exists() and _temps(tmp_path, "run") == [left]  # never half-written
    _replace_folder(out, lambda folder: (folder / "summary.json").write_text('{"caravan": 1}'))
    assert _temps(tmp_path, "run") == []
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]


def test_unmarked_folders_are_kept_unless_they_look_like_ours_and_are_old(tmp_path: Path) -> None:
    out = tmp_path / "run"
    mine = tmp_path / ".run.abcd1234"  # the shape of a temporary folder, killed before marking
    users = tmp_path / ".run.backup-of-mine"  # a user's own folder
    fresh = tmp_path / ".run.efgh5678"  # a writer that has just started
    for folder in (mine, users, fresh):
        folder.mkdir()
    old = time.time() - 3600
    os.utime(mine, (old, old))
    os.utime(users, (old, old))
    assert sweep_stale_temp(out) == [mine]
    assert users.is_dir() and fresh.is_dir()
