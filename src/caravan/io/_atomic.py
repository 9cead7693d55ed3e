"""Writing files whole or not at all: a temporary file beside the target, renamed over it."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from caravan.errors import InputError

__all__ = [
    "atomic_path",
    "make_folder",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_text_atomic",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` (which does not exist yet), renamed over ``path`` when
    the block succeeds and removed when it fails.

    Raises
    ------
    InputError
        When ``path`` is a folder, or its folder cannot be made or written to.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("ok")
    >>> out.read_text()
    'ok'
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(
            f"{target}: is a folder, not a file to write; give a file path inside it "
            f"(for example {target}/<file name>)"
        )
    make_folder(target.parent)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise _unwritable(target, exc) from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # some writers (GDAL drivers) refuse to write over an existing empty file
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def make_folder(folder: str | os.PathLike[str]) -> Path:
    """Make ``folder`` and its parents if need be; a clear error when that cannot be done.

    Raises
    ------
    InputError
        When a file stands where a folder must be, or the folder cannot be made.

    Examples
    --------
    >>> import tempfile
    >>> make_folder(Path(tempfile.mkdtemp()) / "runs" / "a").is_dir()
    True
    """
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    return path


def _unwritable(path: Path, exc: OSError) -> InputError:
    blocker = next((p for p in (path, *path.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        return InputError(
            f"cannot write {path}: {blocker} is a file, not a folder; pick another path"
        )
    return InputError(
        f"cannot write {path} ({exc.strerror or exc}); pick a path in a folder you can write to"
    )


def write_bytes_atomic(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write bytes to ``path`` atomically (mode 0644)."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
    return target


def write_text_atomic(
    text: str, path: str | os.PathLike[str], *, newline: str | None = None
) -> Path:
    """Write UTF-8 text to ``path`` atomically."""
    target = Path(path)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)
    return target


def write_json_atomic(data: Any, path: str | os.PathLike[str], *, indent: int = 2) -> Path:
    """Write JSON to ``path`` atomically (non-JSON values through ``str``)."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str) + "\n"
    return write_text_atomic(text, path)
