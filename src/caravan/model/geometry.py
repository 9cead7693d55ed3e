"""Link geometry: the optional ``geometry`` column of ``links.csv`` (WKT ``LINESTRING`` in lon/lat).

A link with a geometry is drawn along it (maps, exports, briefs); one without is drawn as the
straight segment between its two nodes. The line runs from the link's ``from_node_id`` to its
``to_node_id``; its ends must lie within :data:`MAX_END_GAP_KM` of those nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from caravan.model.geodesy import geodesic_km, line_length_km

__all__ = [
    "MAX_END_GAP_KM",
    "Coords",
    "line_problems",
    "line_wkt",
    "parse_line_wkt",
    "straight_or_given",
]

#: How far a geometry's first (last) vertex may lie from the link's from (to) node.
MAX_END_GAP_KM = 50.0

Coords = tuple[tuple[float, float], ...]


def parse_line_wkt(text: str) -> Coords:
    """The ``(lon, lat)`` vertices of a WKT ``LINESTRING``.

    Longitudes may run past ±180 so that a line crossing the antimeridian stays continuous
    (a sea lane across the Pacific: 179.5, 180.5, ...), as GeoJSON renderers expect.

    Raises
    ------
    ValueError
        With a message saying what is wrong: not WKT, not a line, fewer than two vertices,
        or a coordinate outside lon -360..360 / lat -90..90.

    Examples
    --------
    >>> parse_line_wkt("LINESTRING (66.9 37.2, 67.1 36.7)")
    ((66.9, 37.2), (67.1, 36.7))
    >>> parse_line_wkt("POINT (1 2)")
    Traceback (most recent call last):
    ...
    ValueError: is a Point, not a LINESTRING
    """
    import shapely
    from shapely.errors import ShapelyError

    try:
        geom = shapely.from_wkt(text)
    except (ShapelyError, ValueError) as exc:
        msg = f"is not valid WKT ({str(exc).splitlines()[0]})"
        raise ValueError(msg) from None
    if geom is None or geom.geom_type != "LineString":
        kind = "empty" if geom is None else f"a {geom.geom_type}"
        raise ValueError(f"is {kind}, not a LINESTRING")
    coords = tuple((float(x), float(y)) for x, y, *_ in geom.coords)
    if len(coords) < 2:
        raise ValueError("has fewer than two vertices")
    for lon, lat in coords:
        if not (-360.0 <= lon <= 360.0 and -90.0 <= lat <= 90.0):
            msg = f"has a vertex ({lon:g} {lat:g}) outside lon -360..360, lat -90..90"
            raise ValueError(msg)
    return coords


def line_wkt(coords: Sequence[tuple[float, float]], *, digits: int = 5) -> str:
    """A WKT ``LINESTRING`` of ``(lon, lat)`` vertices, rounded to ``digits`` (5: about 1 m).

    Examples
    --------
    >>> line_wkt([(66.912345678, 37.2), (67.1, 36.7)])
    'LINESTRING (66.91235 37.2, 67.1 36.7)'
    """
    body = ", ".join(f"{round(x, digits)!r} {round(y, digits)!r}" for x, y in coords)
    return f"LINESTRING ({body})"


def line_problems(
    text: str, from_xy: tuple[float, float], to_xy: tuple[float, float], length_km: float | None
) -> list[tuple[str, str, str]]:
    """What is wrong with one link's geometry, as ``(field, message, fix)`` triples.

    Checks that it parses (:func:`parse_line_wkt`), that it starts at the from node and ends at
    the to node (within :data:`MAX_END_GAP_KM`), and that ``length_km`` is not below 0.9 times
    the line's own geodesic length.

    Examples
    --------
    >>> line_problems("LINESTRING (0 0, 1 0)", (0.0, 0.0), (1.0, 0.0), 112.0)
    []
    >>> [p[0] for p in line_problems("LINESTRING (1 0, 0 0)", (0.0, 0.0), (1.0, 0.0), 112.0)]
    ['geometry', 'geometry']
    >>> line_problems("LINESTRING (0 0, 1 0)", (0.0, 0.0), (1.0, 0.0), 50.0)[0][0]
    'length_km'
    """
    try:
        coords = parse_line_wkt(text)
    except ValueError as exc:
        return [("geometry", f"geometry {exc}", "write a WKT line: LINESTRING (lon lat, ...)")]
    out: list[tuple[str, str, str]] = []
    for end, vertex, node_xy, fix in (
        ("first", coords[0], from_xy, "start the line at the from node"),
        ("last", coords[-1], to_xy, "end the line at the to node"),
    ):
        gap = geodesic_km(vertex[1], vertex[0], node_xy[1], node_xy[0])
        if gap > MAX_END_GAP_KM:
            out.append(
                (
                    "geometry",
                    f"geometry's {end} vertex is {gap:.0f} km from its node (over "
                    f"{MAX_END_GAP_KM:g} km)",
                    f"{fix} (or reverse the vertices, or correct the node's coordinates)",
                )
            )
    drawn_km = line_length_km(coords)
    if length_km is not None and length_km < 0.9 * drawn_km:
        out.append(
            (
                "length_km",
                f"length_km {length_km:g} is far below the geometry's own length {drawn_km:.0f} km",
                "check the length, or the geometry",
            )
        )
    return out


def straight_or_given(
    link_rows: Sequence[Mapping[str, object]], node_xy: Mapping[str, tuple[float, float]]
) -> dict[str, Coords]:
    """Each link's drawn line: its geometry where it has a valid one, else the straight segment.

    Examples
    --------
    >>> rows = [{"link_id": "a", "from_node_id": "x", "to_node_id": "y", "geometry": None},
    ...         {"link_id": "b", "from_node_id": "x", "to_node_id": "y",
    ...          "geometry": "LINESTRING (0 0, 0.5 0.4, 1 1)"}]
    >>> lines = straight_or_given(rows, {"x": (0.0, 0.0), "y": (1.0, 1.0)})
    >>> lines["a"], len(lines["b"])
    (((0.0, 0.0), (1.0, 1.0)), 3)
    """
    out: dict[str, Coords] = {}
    for row in link_rows:
        a, b = node_xy[str(row["from_node_id"])], node_xy[str(row["to_node_id"])]
        text = row.get("geometry")
        coords: Coords = (a, b)
        if isinstance(text, str) and text.strip():
            try:
                coords = parse_line_wkt(text)
            except ValueError:
                coords = (a, b)
        out[str(row["link_id"])] = coords
    return out
