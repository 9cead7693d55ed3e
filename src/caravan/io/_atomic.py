"""Writing files whole or not at all: a temporary file beside the target, renamed over it."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_path", "write_bytes_atomic", "write_json_atomic", "write_text_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` (which does not exist yet), renamed over ``path`` when
    the block succeeds and removed when it fails.

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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # some writers (GDAL drivers) refuse to write over an existing empty file
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


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
