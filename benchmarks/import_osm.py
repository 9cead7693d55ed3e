"""Import and route a large synthetic OpenStreetMap-like network.

The network is a grid of ``n x n`` junctions over Kazakhstan (lon 62-78°E, lat 45-50°N): every
row is a railway (1520 mm west of the middle column, 1435 mm east of it, so every row has a break
of gauge), every column a trunk road, each edge between two junctions drawn with two shape points,
and ways cut every 50 junctions, as OSM ways are. A grid of n junctions a side gives
``2 n (n - 1)`` atlas links after simplification (n = 710: 1,006,780 links, 2.5 M OSM nodes).

Stages, each timed (wall clock) with the process's peak memory (``ru_maxrss``) after it:

1. write the ``.osm.pbf`` (pyosmium ``SimpleWriter``; not part of the import);
2. ``caravan.io.osm.read_osm``: read and simplify;
3. ``import_atlas``: read, countries from the outlines, write the atlas folder, validate it;
4. ``load_atlas`` (validates again) and ``build_network`` for one commodity;
5. least-cost paths between random pairs of grid-edge junctions (the numba Dijkstra on the
   network's cost, as ``caravan route`` runs it), p50 and p90; optionally some through
   ``find_routes`` too, which also assembles the route record and searches up to 10 Yen
   alternatives for the countries a route bypasses.

By default stages 3-4 are replaced by assembling the Atlas in memory from the imported tables
(no folder round trip, no validation), because the atlas reader and validator work row by row
in Python; ``--full`` runs them.

Usage::

    .venv/bin/python benchmarks/import_osm.py --junctions 710 --routes 20 --json out.json
    .venv/bin/python benchmarks/import_osm.py --junctions 100 --full --full-routes 5

The machine is shared: report ``uptime`` with every figure (the script prints it at the start
and the end).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WEST, EAST, SOUTH, NORTH = 62.0, 78.0, 45.0, 50.0
WAY_JUNCTIONS = 50
SHAPE_POINTS = 2


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@contextmanager
def _stage(name: str, record: dict[str, Any]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    record[name] = {"s": round(time.perf_counter() - start, 2), "peak_mb": round(_peak_mb())}
    print(f"{name}: {record[name]['s']} s, peak {record[name]['peak_mb']} MB", flush=True)


def write_grid(path: Path, n: int) -> tuple[int, int]:
    """Write the grid; return (OSM nodes, OSM ways)."""
    import osmium

    dx, dy = (EAST - WEST) / (n - 1), (NORTH - SOUTH) / (n - 1)
    junction = lambda i, j: 1 + i * n + j  # noqa: E731 - row i, column j
    next_id = n * n + 1
    h_shape: dict[tuple[int, int], list[int]] = {}
    v_shape: dict[tuple[int, int], list[int]] = {}
    writer = osmium.SimpleWriter(str(path))
    n_nodes = 0
    node = osmium.osm.mutable.Node
    try:
        for i in range(n):
            for j in range(n):
                writer.add_node(node(id=junction(i, j), location=(WEST + j * dx, SOUTH + i * dy)))
                n_nodes += 1
        for i in range(n):
            for j in range(n):
                x, y = WEST + j * dx, SOUTH + i * dy
                if j + 1 < n:  # shape points towards the east, slightly off the line
                    ids = []
                    for k in range(1, SHAPE_POINTS + 1):
                        f = k / (SHAPE_POINTS + 1)
                        writer.add_node(node(id=next_id, location=(x + f * dx, y + 0.1 * dy)))
                        ids.append(next_id)
                        next_id += 1
                    h_shape[(i, j)] = ids
                if i + 1 < n:
                    ids = []
                    for k in range(1, SHAPE_POINTS + 1):
                        f = k / (SHAPE_POINTS + 1)
                        writer.add_node(node(id=next_id, location=(x + 0.1 * dx, y + f * dy)))
                        ids.append(next_id)
                        next_id += 1
                    v_shape[(i, j)] = ids
        n_nodes = next_id - 1
        way_id = 1
        way = osmium.osm.mutable.Way
        middle = n // 2
        for i in range(n):  # railways along rows, cut at the middle (gauge) and every 50
            for start in range(0, n - 1, WAY_JUNCTIONS):
                stop = min(start + WAY_JUNCTIONS, n - 1)
                for lo, hi in ((start, min(stop, middle)), (max(start, middle), stop)):
                    if lo >= hi:
                        continue
                    refs = [junction(i, lo)]
                    for j in range(lo, hi):
                        refs += [*h_shape[(i, j)], junction(i, j + 1)]
                    gauge = "1520" if hi <= middle else "1435"
                    tags = {"railway": "rail", "gauge": gauge, "usage": "main"}
                    writer.add_way(way(id=way_id, nodes=refs, tags=tags))
                    way_id += 1
        for j in range(n):  # trunk roads along columns
            for start in range(0, n - 1, WAY_JUNCTIONS):
                stop = min(start + WAY_JUNCTIONS, n - 1)
                refs = [junction(start, j)]
                for i in range(start, stop):
                    refs += [*v_shape[(i, j)], junction(i + 1, j)]
                writer.add_way(way(id=way_id, nodes=refs, tags={"highway": "trunk"}))
                way_id += 1
    finally:
        writer.close()
    return n_nodes, way_id - 1


def _quantiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 4),
        "p90": round(ordered[int(0.9 * (len(times) - 1))], 4),
        "first": round(times[0], 4),
    }


def in_memory_atlas(network: Any) -> Any:
    """The imported tables as an Atlas without the folder round trip and its validation: the
    mode defaults, commodities and transfers of the shipped atlas, the import's nodes and links
    typed as the reader types them (private helpers of ``caravan.io.atlas``)."""
    import pandas as pd

    from caravan.io import atlas as io_atlas
    from caravan.io.atlas_build import build_atlas
    from caravan.model.schema import CSV_FILES

    tables, problems, digest = io_atlas.read_atlas_tables(io_atlas.shipped_atlas_path())
    assert not problems
    for name in ("nodes.csv", "links.csv"):
        rows = network.tables.csv[name]
        frame = pd.DataFrame(rows)
        for f in CSV_FILES[name]:
            if f.name not in frame:
                frame[f.name] = None
        frame["_line"] = range(2, len(frame) + 2)
        tables[name] = io_atlas._typed(
            frame[["_line", *[f.name for f in CSV_FILES[name]]]], CSV_FILES[name]
        )
    tables["nodes.csv"]["country_iso3"] = "KAZ"
    for name in ("borders.csv", "demand.csv"):
        tables[name] = tables[name].iloc[0:0]
    tables["transfers.csv"] = tables["transfers.csv"][tables["transfers.csv"]["node_id"].isna()]
    for name in ("projects.yaml", "restrictions.yaml", "zones.yaml"):
        tables[name] = []
    return build_atlas(tables, Path("in-memory"), digest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junctions", type=int, default=710)
    parser.add_argument("--routes", type=int, default=20, help="least-cost paths timed")
    parser.add_argument(
        "--full-routes",
        type=int,
        default=0,
        help="of those, how many also through find_routes (route records, bypass search)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--full",
        action="store_true",
        help="write the atlas folder, validate it and load it back (slow: Python per row)",
    )
    args = parser.parse_args()

    import caravan
    from caravan.io.atlas import load_atlas, shipped_atlas_path
    from caravan.io.atlas_import import import_atlas
    from caravan.io.osm import read_osm
    from caravan.network.cargo import cargo_arcs
    from caravan.results.arc_paths import graph_of
    from caravan.results.routes import find_routes
    from caravan.routing.shortest import shortest_path

    record: dict[str, Any] = {
        "junctions": args.junctions,
        "uptime_start": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "caravan": getattr(caravan, "__version__", ""),
    }
    print(record["uptime_start"], flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="caravan-osm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pbf = work / "grid.osm.pbf"
    with _stage("write_pbf", record):
        record["osm_nodes"], record["osm_ways"] = write_grid(pbf, args.junctions)
    record["pbf_mb"] = round(pbf.stat().st_size / 1e6, 1)
    with _stage("read_osm", record):
        network = read_osm(pbf, assume_open_by=2000)
    record["links_after_simplify"] = len(network.tables.csv["links.csv"])
    if args.full:
        out = work / "atlas"
        with _stage("import_atlas", record):
            result = import_atlas(
                pbf, out, fmt="osm", defaults=shipped_atlas_path(), assume_open_by=2000
            )
        record["atlas_links"] = result.n_links
        record["problems"] = len(result.problems)
        record["links_csv_mb"] = round((out / "links.csv").stat().st_size / 1e6, 1)
        with _stage("load_atlas", record):
            atlas = load_atlas(out)
    else:
        with _stage("atlas_in_memory", record):
            atlas = in_memory_atlas(network)
    del network
    with _stage("build_network", record):
        net = caravan.build_network(atlas, year=2025, commodity="container")
    record["network"] = net.summary()
    rng = random.Random(args.seed)
    junctions = [
        f"osm-n{1 + i * args.junctions + j}"
        for i in range(args.junctions)
        for j in (0, args.junctions - 1)
    ]
    graph = graph_of(net)
    view = cargo_arcs(net, origin_iso3="KAZ", destination_iso3="KAZ")
    pairs = [rng.sample(junctions, 2) for _ in range(args.routes)]
    times, n_links = [], []
    for a, b in pairs:
        start = time.perf_counter()
        path = shortest_path(
            graph, view.arc_cost_usd_per_t, net.vnodes_of(a), net.vnodes_of(b),
            arc_mask=view.arc_usable,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        n_links.append(len(path.arcs) if path is not None else 0)
    record["least_cost_path_s"] = _quantiles(times)
    record["path_arcs_p50"] = statistics.median(n_links)
    times = []
    for a, b in pairs[: args.full_routes]:
        start = time.perf_counter()
        find_routes(net, a, b, k=1)
        times.append(time.perf_counter() - start)
    if times:
        record["find_routes_s"] = _quantiles(times)
    record["peak_mb"] = round(_peak_mb())
    record["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps(record, indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(record, indent=2), encoding="utf-8")
    if args.workdir is None:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
