"""Writing routes (or any features) as a GeoJSON FeatureCollection, atomically."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from caravan.errors import InputError
from caravan.io._atomic import write_text_atomic

__all__ = ["write_feature_collection"]


def write_feature_collection(features: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Write GeoJSON features to ``path`` (written to a temporary file, then renamed into place).

    Parameters
    ----------
    features : sequence of mapping
        GeoJSON ``Feature`` objects (for routes: :meth:`caravan.results.Route.to_feature`).
    path : str or Path
        The output file; its folder must exist.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        When the folder does not exist or cannot be written.

    Examples
    --------
    >>> import tempfile, json
    >>> out = Path(tempfile.mkdtemp()) / "r.geojson"
    >>> f = {"type": "Feature", "properties": {"rank": 1},
    ...      "geometry": {"type": "LineString", "coordinates": [[66.0, 41.0], [66.5, 39.3]]}}
    >>> json.loads(write_feature_collection([f], out).read_text())["features"][0]["properties"]
    {'rank': 1}
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist")
    collection = {"type": "FeatureCollection", "features": list(features)}
    try:
        write_text_atomic(json.dumps(collection, ensure_ascii=False, indent=1), target)
    except OSError as exc:
        raise InputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    return target
