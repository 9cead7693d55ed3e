"""Planted faults: one bad input each, planted into a copy of the shipped atlas.

Every fault here must end in a clear error (a message naming the file, the row or key and what
is wrong, exit code 2), never a traceback, an "unexpected ... this is a bug" message, a hang, or
silent acceptance. ``tests/faults/test_faults.py`` runs each one; ``benchmarks/faults.py`` runs
them as subprocesses and prints the outcome table of the reliability issue.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["FAULTS", "SCENARIO_HEAD", "Fault"]

#: The start of every planted scenario (``scenarios/fault.yaml``), valid on its own.
SCENARIO_HEAD = "name: fault\ndescription: a planted fault\nbase: baseline-2025\n"

Plant = Callable[[Path], None]


@dataclass(frozen=True)
class Fault:
    """One planted fault.

    ``commands`` are those that read what the fault breaks: ``validate`` (``caravan atlas
    validate``), ``route`` (``caravan route termez karachi``) and ``run`` (``caravan run``
    of ``scenario``). ``env`` is set while the commands run; ``fragment`` must appear in the
    error message.
    """

    fault_id: str
    plant: Plant
    fragment: str
    commands: tuple[str, ...] = ("validate", "route", "run")
    scenario: str = "baseline-2025"
    env: dict[str, str] = field(default_factory=dict)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def cell(file: str, key: str, column: str, value: str) -> Plant:
    """Set one CSV cell (the row whose first cell is ``key``)."""

    def plant(folder: Path) -> None:
        rows = _rows(folder / file)
        row = next(r for r in rows[1:] if r and r[0] == key)
        row[rows[0].index(column)] = value
        _write_rows(folder / file, rows)

    return plant


def cells(file: str, key: str, **values: str) -> Plant:
    """Set several cells of one CSV row."""
    plants = [cell(file, key, column, value) for column, value in values.items()]

    def plant(folder: Path) -> None:
        for one in plants:
            one(folder)

    return plant


def raw(file: str, old: str, new: str) -> Plant:
    """Replace text in a file, as bytes (so NUL bytes and bad UTF-8 can be planted)."""

    def plant(folder: Path) -> None:
        data = (folder / file).read_bytes()
        assert old.encode() in data, f"{old!r} not in {file}"
        (folder / file).write_bytes(
            data.replace(old.encode(), new.encode("utf-8", "surrogateescape"), 1)
        )

    return plant


def write(file: str, text: str | bytes) -> Plant:
    """Replace a whole file."""

    def plant(folder: Path) -> None:
        path = folder / file
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return plant


def yaml_record(file: str, position: int, change: Callable[[dict[str, Any]], None]) -> Plant:
    """Edit one record of a YAML list file."""

    def plant(folder: Path) -> None:
        path = folder / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data[position])
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")

    return plant


def setter(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record[key] = value

    return change


def scenario(body: str) -> Plant:
    """Write ``scenarios/fault.yaml``: the valid head plus ``body``."""
    return write("scenarios/fault.yaml", SCENARIO_HEAD + body)


def bomb(levels: int = 7) -> str:
    """A "billion laughs" YAML document (9**levels strings from ~1.8 KB)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijk"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def big_nodes(folder: Path) -> None:
    """nodes.csv padded to ~50 MB with copies of its rows under new ids."""
    path = folder / "nodes.csv"
    rows = _rows(path)
    header, body = rows[0], rows[1:]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    size, n = len(buffer.getvalue()), 0
    while size < 50_000_000:
        chunk = io.StringIO(newline="")
        out = csv.writer(chunk, lineterminator="\n")
        for r in body:
            n += 1
            out.writerow([f"{r[0]}-copy{n}", *r[1:]])
        text = chunk.getvalue()
        buffer.write(text)
        size += len(text)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def deep_yaml(depth: int) -> str:
    return "- " + "[" * depth + "]" * depth + "\n"


def symlink(file: str, target: str) -> Plant:
    def plant(folder: Path) -> None:
        path = folder / file
        path.unlink()
        os.symlink(target, path)

    return plant


def outside_base(folder: Path) -> None:
    """A file outside the atlas folder, and a scenario whose base points at it."""
    (folder.parent / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    scenario("year: 2025\n")(folder)
    text = (folder / "scenarios/fault.yaml").read_text(encoding="utf-8")
    (folder / "scenarios/fault.yaml").write_text(
        text.replace("base: baseline-2025", "base: ../../passwd"), encoding="utf-8"
    )


def linked_base(folder: Path) -> None:
    """A scenario named in the folder that is a symbolic link to a file outside it."""
    secret = folder.parent / "secret.yaml"
    secret.write_text("name: secret\ndescription: TOP-SECRET-LINE\nyear: 2025\n", "utf-8")
    os.symlink(secret, folder / "scenarios" / "secret.yaml")
    scenario("year: 2025\n")(folder)
    text = (folder / "scenarios/fault.yaml").read_text(encoding="utf-8")
    (folder / "scenarios/fault.yaml").write_text(
        text.replace("base: baseline-2025", "base: secret"), encoding="utf-8"
    )


_LINK = "r-termez-hairatan"
_ROAD = "rd-kabul-ghazni"
_SEA = "s-nhava-sheva-chabahar"
_BORDER = "termez-hairatan-rail"
_FLOW = "uzb-pak"
_SCEN = ("run",)

FAULTS: tuple[Fault, ...] = (
    # --- silently accepted before -------------------------------------------------------------
    Fault(
        "length-1e300",
        cells("links.csv", _LINK, length_km="1e300", length_km_high="1e300"),
        "length_km must be between",
    ),
    Fault("length-underscore", cell("links.csv", _LINK, "length_km", "1_000"), "1_000"),
    Fault("speed-zero", cell("links.csv", _LINK, "speed_kmh", "0"), "speed_kmh must be between"),
    Fault("speed-tiny", cell("links.csv", _LINK, "speed_kmh", "1e-300"), "speed_kmh"),
    Fault("speed-sea-100", cell("links.csv", _SEA, "speed_kmh", "100"), "for sea"),
    Fault("tariff-1e308", cell("links.csv", _LINK, "tariff_usd_per_tkm", "1e308"), "tariff"),
    Fault("dwell-1e308", cell("borders.csv", _BORDER, "dwell_h_ab", "1e308"), "dwell_h_ab"),
    Fault("fee-1e308", cell("borders.csv", _BORDER, "fee_usd_per_t_ba", "1e308"), "fee_usd"),
    Fault(
        "commodity-value-1e308",
        yaml_record("commodities.yaml", 0, setter("value_usd_per_t", 1e308)),
        "value_usd_per_t",
    ),
    Fault(
        "value-of-time-1e308",
        yaml_record("commodities.yaml", 0, setter("value_of_time_usd_per_t_h", 1e308)),
        "value_of_time",
    ),
    Fault("nul-in-nodes", raw("nodes.csv", "Kabul,Kabol", "Ka\0bul,Kabol"), "NUL byte"),
    Fault(
        "duplicate-yaml-key",
        raw("modes.yaml", "  speed_kmh: 45\n", "  speed_kmh: 45\n  speed_kmh: 4500\n"),
        "duplicate key",
    ),
    Fault(
        "demand-add-1e308",
        scenario(
            "demand:\n  add:\n  - {flow_id: big, origin_node_id: termez, destination_node_id: "
            "karachi, commodity_id: bulk, tonnes_per_year: 1e308, basis: x, source_ids: [seed-1]}\n"
        ),
        "tonnes_per_year",
        _SCEN,
        "fault",
    ),
    Fault(
        "demand-scale-1e308",
        scenario("demand:\n  scale:\n  - {factor: 1e308}\n"),
        "factor",
        _SCEN,
        "fault",
    ),
    Fault(
        "demand-scale-twice",
        scenario("demand:\n  scale:\n  - {factor: 1000}\n  - {factor: 1000}\n  - {factor: 1000}\n"),
        "demand.scale",
        _SCEN,
        "fault",
    ),
    # --- hangs before ---------------------------------------------------------------------------
    Fault("billion-laughs-modes", write("modes.yaml", bomb()), "aliases expand"),
    Fault("nodes-50mb", big_nodes, "above the limit"),
    # --- internal errors before -------------------------------------------------------------------
    Fault(
        "date-2019-02-30",
        raw("restrictions.yaml", "valid_from: 2019-08-09", "valid_from: 2019-02-30"),
        "not a real date",
    ),
    Fault(
        "date-2025-13-45",
        raw("restrictions.yaml", "valid_from: 2019-08-09", "valid_from: 2025-13-45"),
        "2025-13-45",
    ),
    Fault("year-400-digits", cell("links.csv", _LINK, "open_year", "9" * 400), "too long"),
    Fault("year-5000-digits", cell("links.csv", _LINK, "open_year", "9" * 5000), "too long"),
    Fault(
        "yaml-year-5000-digits",
        raw("projects.yaml", "announced_year: 2017", "announced_year: " + "9" * 5000),
        "too long",
    ),
    Fault("yaml-nested-10000", write("zones.yaml", deep_yaml(10000)), "nested deeper"),
    # --- tracebacks before (run, route) -------------------------------------------------------
    Fault(
        "scenario-nested",
        scenario("notes: " + "[" * 10000 + "]" * 10000 + "\n"),
        "nested deeper",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-as-of-02-30",
        scenario("security_as_of: 2025-02-30\n"),
        "not a real date",
        _SCEN,
        "fault",
    ),
    Fault("scenario-year-400", scenario(f"year: {'9' * 400}\n"), "too long", _SCEN, "fault"),
    Fault("scenario-year-5000", scenario(f"year: {'9' * 5000}\n"), "too long", _SCEN, "fault"),
    Fault(
        "scenario-as-of-13-45",
        scenario("security_as_of: 2025-13-45\n"),
        "2025-13-45",
        _SCEN,
        "fault",
    ),
    # --- vague before ---------------------------------------------------------------------------
    Fault("scenario-base-outside", outside_base, "outside", _SCEN, "fault"),
    # found by benchmarks/fuzz.py: a base name longer than the file system allows
    Fault(
        "scenario-base-name-too-long",
        write("scenarios/fault.yaml", "name: fault\ndescription: d\nbase: " + "9" * 400 + "\n"),
        "unknown scenario",
        _SCEN,
        "fault",
    ),
    Fault("scenario-base-symlink", linked_base, "outside the atlas", _SCEN, "fault"),
    Fault(
        "scenario-mode-speed-0",
        scenario("changes:\n- {target: mode, ids: [rail], field: speed_kmh, set: 0}\n"),
        "fault.yaml, row 5, field 'changes[1]'",  # the scenario file and the change's line
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-length-minus",
        scenario(f"changes:\n- {{target: link, ids: [{_LINK}], field: length_km, set: -1000}}\n"),
        "fault.yaml, row 5, field 'changes[1]'",
        _SCEN,
        "fault",
    ),
    # --- the second reliability issue ----------------------------------------------------------
    Fault("nodes-symlink-passwd", symlink("nodes.csv", "/etc/passwd"), "outside"),
    Fault("arabic-digit", cell("links.csv", _LINK, "capacity_mtpa", "٣"), "digits"),
    Fault("superscript-digit", cell("links.csv", _LINK, "open_year", "²"), "digits"),
    Fault("alias-bomb-title", scenario("title: " + "x\n" + bomb()), "aliases", _SCEN, "fault"),
    # --- more numbers ---------------------------------------------------------------------------
    Fault("length-inf", cell("links.csv", _LINK, "length_km", "inf"), "length_km"),
    Fault("length-nan", cell("links.csv", _LINK, "length_km", "nan"), "length_km"),
    Fault("length-negative", cell("links.csv", _LINK, "length_km", "-5"), "length_km"),
    Fault("length-zero", cell("links.csv", _LINK, "length_km", "0"), "length_km"),
    Fault("length-hex", cell("links.csv", _LINK, "length_km", "0x10"), "0x10"),
    Fault("length-comma", cell("links.csv", _LINK, "length_km", "1,5"), "1,5"),
    Fault("lat-overflow", cell("nodes.csv", "kabul", "lat", "1e999"), "lat"),
    Fault("lat-arabic", cell("nodes.csv", "kabul", "lat", "٣٤.٥"), "lat"),
    Fault("road-speed-500", cell("links.csv", _ROAD, "speed_kmh", "500"), "speed_kmh"),
    Fault("capacity-1e308", cell("links.csv", _LINK, "capacity_mtpa", "1e308"), "capacity"),
    Fault(
        "transfer-dwell-1e308",
        raw("transfers.csv", ",1435,24,12,72,16.45,", ",1435,1e308,12,72,16.45,"),
        "dwell",
    ),
    Fault("demand-1e308", cell("demand.csv", _FLOW, "tonnes_per_year", "1e308"), "tonnes"),
    Fault("demand-negative", cell("demand.csv", _FLOW, "tonnes_per_year", "-1"), "tonnes"),
    Fault("demand-year-fraction", cell("demand.csv", _FLOW, "year", "2025.5"), "year"),
    Fault("demand-year-99999", cell("demand.csv", _FLOW, "year", "99999"), "year"),
    Fault(
        "surcharge-1e308",
        yaml_record("restrictions.yaml", 0, setter("surcharge_usd_per_t", 1e308)),
        "surcharge",
    ),
    Fault("zone-risk-2", yaml_record("zones.yaml", 0, setter("risk", 2)), "risk"),
    Fault("modes-speed-0", raw("modes.yaml", "speed_kmh: 45", "speed_kmh: 0"), "speed_kmh"),
    Fault("modes-speed-1e300", raw("modes.yaml", "speed_kmh: 45", "speed_kmh: 1.0e+300"), "speed"),
    Fault("modes-speed-underscore", raw("modes.yaml", "speed_kmh: 45", "speed_kmh: 4_5"), "4_5"),
    Fault("modes-speed-octal", raw("modes.yaml", "speed_kmh: 45", "speed_kmh: 0o55"), "0o55"),
    Fault("modes-speed-sexagesimal", raw("modes.yaml", "speed_kmh: 45", "speed_kmh: 1:30"), "1:30"),
    # --- file structure -------------------------------------------------------------------------
    Fault("bad-utf8", raw("nodes.csv", "Kabul,Kabol", "Kab\udcffl,Kabol"), "UTF-8"),
    Fault("nodes-empty", write("nodes.csv", ""), "empty"),
    Fault("links-missing", lambda f: (f / "links.csv").unlink(), "missing"),
    Fault("csv-unterminated-quote", raw("nodes.csv", "Kabul,Kabol", '"Kabul,Kabol'), "nodes.csv"),
    Fault("csv-extra-field", raw("nodes.csv", "Kabul,Kabol", "Kabul,x,Kabol"), "fields"),
    Fault("csv-unknown-column", raw("nodes.csv", "node_id,name", "node_id,nom"), "column"),
    Fault("modes-not-a-list", write("modes.yaml", "mode: rail\n"), "list"),
    Fault("modes-malformed", write("modes.yaml", "- mode: rail\n\t speed_kmh: 4\n"), "YAML"),
    Fault("modes-python-tag", write("modes.yaml", "- !!python/object:os.system x\n"), "YAML"),
    Fault("atlas-as-of-02-30", raw("atlas.yaml", "as_of: 2025-11-30", "as_of: 2025-02-30"), "date"),
    Fault(
        "atlas-duplicate-key",
        raw("atlas.yaml", "as_of: 2025-11-30", "as_of: 2025-11-30\nas_of: 2026-01-01"),
        "duplicate",
    ),
    Fault(
        "sources-date-13-45",
        raw("sources.yaml", "date: 2025-07,", "date: 2025-13-45,"),
        "2025-13-45",
    ),
    Fault("projects-deep", write("projects.yaml", deep_yaml(500)), "nested deeper"),
    Fault(
        "rows-limit",
        lambda f: None,
        "CARAVAN_MAX_ROWS",
        env={"CARAVAN_MAX_ROWS": "100"},
    ),
    # --- scenarios ---------------------------------------------------------------------------
    Fault(
        "scenario-not-mapping",
        write("scenarios/fault.yaml", "- a\n- b\n"),
        "mapping",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-nul",
        write("scenarios/fault.yaml", SCENARIO_HEAD + "notes: a\0b\n"),
        "NUL",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-duplicate-key", scenario("year: 2025\nyear: 2030\n"), "duplicate", _SCEN, "fault"
    ),
    Fault("scenario-year-underscore", scenario("year: 2_030\n"), "2_030", _SCEN, "fault"),
    Fault("scenario-year-99999", scenario("year: 99999\n"), "year", _SCEN, "fault"),
    Fault(
        "scenario-scale-tariff-1e308",
        scenario(
            f"changes:\n- {{target: link, ids: [{_LINK}], field: tariff_usd_per_tkm, "
            "scale: 1.0e+308}\n"
        ),
        "scale",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-add-capacity-1e308",
        scenario(
            f"changes:\n- {{target: link, ids: [{_LINK}], field: capacity_mtpa, add: 1.0e+308}}\n"
        ),
        "add",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-set-dwell-negative",
        scenario(f"changes:\n- {{target: border, ids: [{_BORDER}], field: dwell_h, set: -1}}\n"),
        "changes[1]",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-scale-speed-1000",
        scenario("changes:\n- {target: mode, ids: [road], field: speed_kmh, scale: 1000}\n"),
        "changes[1]",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-gap-1e308",
        scenario("assignment: {gap: 1.0e+308}\n"),
        "gap",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-k-routes-huge",
        scenario("assignment: {k_routes: 1000000000}\n"),
        "k_routes",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-cycle",
        write("scenarios/fault.yaml", "name: fault\ndescription: x\nbase: fault\nyear: 2025\n"),
        "cycle",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-unknown-link",
        scenario("open_links: [no-such-link]\n"),
        "no-such-link",
        _SCEN,
        "fault",
    ),
    Fault(
        "scenario-bad-utf8",
        write("scenarios/fault.yaml", SCENARIO_HEAD.encode() + b"notes: \xff\n"),
        "UTF-8",
        _SCEN,
        "fault",
    ),
)
