"""One input-limits policy for every reader: file size, row count, NUL bytes, folder confinement.

Every reader (atlas CSV and YAML, scenarios, claims, the security layer, ACLED exports, TNTP
files) reads files through :func:`read_limited`, which refuses a file that is too large, that
holds a NUL byte, or that lies outside the folder it should be in (a symbolic link to
``/etc/passwd`` included), and never prints the contents of a file it refused. The limits are
:class:`InputLimits`; ``CARAVAN_MAX_FILE_MB`` and ``CARAVAN_MAX_ROWS`` in the environment raise
or lower them (see ``docs/atlas-format.md``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from caravan.errors import InputError

__all__ = [
    "InputLimits",
    "LimitError",
    "confined",
    "decode_text",
    "input_limits",
    "read_limited",
]


class LimitError(InputError):
    """A file breaks the input limits; ``line`` is where (1-based), when known."""

    def __init__(self, message: str, *, line: int | None = None, fix: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.fix = fix


@dataclass(frozen=True)
class InputLimits:
    """The limits every reader applies.

    Parameters
    ----------
    max_file_bytes : int
        Largest file read (default 32 MiB; ``CARAVAN_MAX_FILE_MB``).
    max_rows : int
        Most data rows (CSV) or records (YAML lists) in one file (default 1,000,000;
        ``CARAVAN_MAX_ROWS``).
    max_yaml_depth : int
        Deepest nesting of YAML collections.
    max_yaml_alias_values : int
        Most values YAML aliases may add when expanded (a "billion laughs" file is refused).
    max_osm_bytes : int
        Largest OpenStreetMap file imported (compressed ``.osm.pbf`` extracts are large;
        default 2 GiB; ``CARAVAN_MAX_OSM_MB``).
    """

    max_file_bytes: int = 32 * 1024 * 1024
    max_rows: int = 1_000_000
    max_yaml_depth: int = 40
    max_yaml_alias_values: int = 100_000
    max_osm_bytes: int = 2 * 1024 * 1024 * 1024


def input_limits(environ: Mapping[str, str] | None = None) -> InputLimits:
    """The limits in force: the defaults, changed by ``CARAVAN_MAX_FILE_MB``/``CARAVAN_MAX_ROWS``.

    Examples
    --------
    >>> input_limits({"CARAVAN_MAX_FILE_MB": "2"}).max_file_bytes
    2097152
    >>> input_limits({}).max_rows
    1000000
    """
    env = os.environ if environ is None else environ
    defaults = InputLimits()
    out = {}
    for key, field, scale in (
        ("CARAVAN_MAX_FILE_MB", "max_file_bytes", 1024 * 1024),
        ("CARAVAN_MAX_ROWS", "max_rows", 1),
        ("CARAVAN_MAX_OSM_MB", "max_osm_bytes", 1024 * 1024),
    ):
        text = env.get(key, "").strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 < value < 1e7:
            msg = f"{key}={text[:20]!r} must be a positive number"
            raise InputError(msg)
        out[field] = int(value * scale)
    return InputLimits(
        max_file_bytes=out.get("max_file_bytes", defaults.max_file_bytes),
        max_rows=out.get("max_rows", defaults.max_rows),
        max_osm_bytes=out.get("max_osm_bytes", defaults.max_osm_bytes),
    )


def confined(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, lies inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def read_limited(
    path: Path,
    *,
    root: Path | None = None,
    limits: InputLimits | None = None,
    what: str = "file",
) -> str:
    """The text of a UTF-8 file, after the size, NUL-byte and confinement checks.

    Parameters
    ----------
    path : Path
        The file.
    root : Path, optional
        The folder the file must lie in once links are followed (the atlas folder).
    limits : InputLimits, optional
        Default: :func:`input_limits`.
    what : str
        How to name the file in messages.

    Raises
    ------
    LimitError
        Too large, outside ``root``, not UTF-8, or holding a NUL byte (with its line).
    """
    lim = limits or input_limits()
    if root is not None and not confined(path, root):
        msg = f"{what} is a link to a file outside {root.name or root}; it was not read"
        raise LimitError(msg, fix="replace the link with the file itself")
    size = path.stat().st_size
    if size > lim.max_file_bytes:
        msg = f"{what} is {size / 1e6:.1f} MB, above the limit of {lim.max_file_bytes / 1e6:.1f} MB"
        raise LimitError(msg, fix="split the file, or raise CARAVAN_MAX_FILE_MB")
    with path.open("rb") as handle:
        data = handle.read(lim.max_file_bytes + 1)
    if len(data) > lim.max_file_bytes:  # grew while being read, or not a regular file
        msg = f"{what} is above the limit of {lim.max_file_bytes / 1e6:.1f} MB"
        raise LimitError(msg, fix="split the file, or raise CARAVAN_MAX_FILE_MB")
    return decode_text(data, what=what)


def decode_text(data: bytes, *, what: str = "file") -> str:
    """Decode UTF-8 bytes (a BOM is dropped), refusing NUL bytes; raises :class:`LimitError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise LimitError(msg, line=line, fix="save the file as UTF-8") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        msg = f"{what} holds a NUL byte (line {line})"
        raise LimitError(msg, line=line, fix="remove the NUL byte; save the file as plain text")
    return text
