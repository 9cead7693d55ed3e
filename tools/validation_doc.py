"""Write docs/validation.md from the shipped route validation table (run after atlas changes).

.venv/bin/python tools/validation_doc.py [OUT]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from caravan.io.atlas import load_atlas
from caravan.io.validation import read_route_cases, route_cases_path
from caravan.validation.routes import pass_rate, validate_routes

ROOT = Path(__file__).resolve().parents[1]


def _range(e: dict[str, object], key: str, fmt: str) -> str:
    v = e.get(key)
    if not isinstance(v, list):
        return ""
    low, high = v
    lo = "" if low is None else format(low, fmt)
    hi = "" if high is None else format(high, fmt)
    return f"{lo}–{hi}"


#: The first line of the count validation (written by the calibration tools), kept as it is.
COUNT_HALF = "# Validation: the base year against observed volumes"


def _count_half(out: Path) -> list[str]:
    """The count half of an existing page (from ``COUNT_HALF`` on), unchanged."""
    if not out.is_file():
        return []
    text = out.read_text().splitlines()
    return text[text.index(COUNT_HALF) :] if COUNT_HALF in text else []


def main(out: Path) -> None:
    atlas = load_atlas()
    cases = read_route_cases(route_cases_path(atlas), atlas)
    results = validate_routes(cases, atlas)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    n_pass = sum(r.passed for r in results)
    lines = [
        "# Route validation: the routes analysts ask about, checked against the model",
        "",
        "`src/caravan/atlas/trans-eurasia/validation/routes.csv` ships with the atlas:",
        "origin-destination pairs from the issue that found the routing errors (issue 16) and from",
        "the corridors of the source articles (Lapis Lazuli, the Middle Corridor, the INSTC",
        "branches, the Kabul and Kandahar corridors, Khaf-Herat, CPEC, the Northern route",
        "China-Europe, Chabahar-Afghanistan and the Caspian links). Each row says what the best",
        "route must pass or avoid and gives the real length (checked within ±15 %), time and money",
        "ranges with their sources (`sources.yaml`). Run it:",
        "",
        "```",
        "caravan validate routes          "
        "# a table: modelled figures, expected ranges, why a pair fails",
        'caravan validate routes --json   # {"pairs": [...], "pass_rate": ...}',
        "```",
        "",
        f"**{n_pass} of {len(results)} pairs pass ({pass_rate(results):.0%})** at commit `{commit}`"
        " (this page is written by `tools/validation_doc.py`). The issue asks for 90 %; the pairs",
        "below that fail are reported as they are, not tuned away: each failure names what the",
        "model lacks (see *Why pairs fail*). Money is US$ per tonne (containers at 20 t per FEU",
        "unless the row says otherwise); time in hours; `ends = border` rows leave out terminal",
        "handling; `ends = ship` rows start from a ship's arrival at the origin port (the port's",
        "ship-to-shore transfer instead of the loading).",
        "",
        "| pair | scenario, mode, via | km (model / real ±15 %) | hours (model / range) "
        "| US$/t (model / range) | pass | why not | sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c, e = r.case, r.case.expected()
        how = ", ".join(
            x
            for x in (
                c.scenario if c.scenario != "baseline-2025" else "",
                c.commodity if c.commodity != "container" else "",
                f"by {c.by}" if c.by != "cost" else "",
                c.mode or "",
                ("via " + "-".join(c.via)) if c.via else "",
                ("closed " + ", ".join(c.closed_countries)) if c.closed_countries else "",
                ("legs " + "/".join(c.leg_modes)) if c.leg_modes else "",
            )
            if x
        )
        km = "–" if r.length_km is None else f"{r.length_km:,.0f}"
        if c.length_km:
            km += f" / {c.length_km:,.0f}"
        hours = "–" if r.time_h is None else f"{r.time_h:,.0f}"
        if "time_h" in e:
            hours += f" / {_range(e, 'time_h', ',.0f')}"
        money = "–" if r.money_usd_per_t is None else f"{r.money_usd_per_t:,.1f}"
        if "money_usd_per_t" in e:
            money += f" / {_range(e, 'money_usd_per_t', ',.0f')}"
        expect = []
        if c.expect_pass:
            expect.append("passes " + ", ".join(c.expect_pass))
        if c.expect_avoid:
            expect.append("avoids " + ", ".join(c.expect_avoid))
        pair = f"{c.origin} → {c.destination}" + (f" ({'; '.join(expect)})" if expect else "")
        lines.append(
            f"| {pair} | {how or '–'} | {km} | {hours} | {money} | "
            f"{'yes' if r.passed else '**no**'} | {'; '.join(r.failures) or ''} | "
            f"{', '.join(c.source_ids)} |"
        )
    lines += [
        "",
        "## Why pairs fail",
        "",
        "Routes through `via` places pay the change of layer there (rail to ferry, a gauge",
        "change), as a train passing through does; the Middle Corridor rows close Russia and the",
        "Lapis Lazuli row closes Iran (`closed_countries`), as those corridors avoid them by",
        "design.",
        "",
        "- **Middle Corridor times** (Xi'an-Baku, Xi'an-Constanta, Almaty-Poti): the sources",
        "  disagree, and three rows were changed with a cited source. Xi'an-Baku: the 2024",
        "  block-train figures (11-12 days) are the fast end; the operator's monthly averages were",
        "  17 days (Dec 2025) and 16 days (Jan 2026) (Trend 2026), so the range is 10-17 days (was",
        "  10-13). Almaty-Poti: TITR guidance gives Kazakhstan-Poti ~12 days (2025) against",
        "  Argus's ~20, so the range starts at 12 days (was 16.7). Xi'an-Constanta: Trend (2024)",
        "  gives China-Europe 20-25 days on average, Turkic World (2024) Altynkol-Constanta 20-22",
        "  and the TITR guidance China-Constanta 31-34 (2025), so the range starts at 20 days (was",
        "  31). Train run times (Xi'an-Baku, Xi'an-Hairatan, Moscow-Bandar Abbas) are departure to",
        "  arrival and leave out terminal handling (`ends = border`). The Chinese crossings take",
        "  the CPMM 2022 rail border-crossing times (Horgos 34.8 h, Alashankou 30.5 h; the atlas",
        "  had a 5.5 h locomotive turnaround and a 4 h train processing).",
        "- **Middle Corridor money** (Khorgos-Istanbul 2018 TITR rate, Tashkent-Istanbul via",
        "  Turkmenbashi 2020 Interrail rate): with the Caspian transfers now paid, the model is",
        "  6-19 % above rates quoted before the post-2022 rise (China-Aktau alone was 5,350 US$",
        "  per 40HQ in late 2025); the Aktau-route rate of the same 2020 sheet passes.",
        "- **Xi'an-Hairatan** now passes: the range starts at the 12-15 days expected for the",
        "  Chongqing-Hairatan train via Khorgos (Xinhua, Feb 2025), beside the 20 days of a Dec",
        "  2024 train during the China-Kazakhstan border congestion (was 400-560 h on that train",
        "  alone).",
        "- **Chabahar-Kabul** (run in the AfPak closure its source reports from) now passes: the",
        "  source times shipments *sent via Chabahar* to Kabul (7-8 days, ~4,000 US$ per",
        "  container), so the row runs Chabahar to Kabul from the ship's arrival (`ends = ship`:",
        "  the port's ship-to-shore transfer, 48 h, instead of a truck's loading); it ran Kabul to",
        "  Chabahar and ended with a road unloading at the port, 3 days short.",
        "- **Zaranj-Nhava Sheva** (ACCI, May 2019) now passes. Its money range is the source's",
        "  own: 1,857 US$ per container for the two boxes of 11 t and 22.5 t it names (83-169",
        "  US$/t; it used a generic 16-25 t, 74-116), and its time runs to the arrival at Nhava",
        "  Sheva (`ends = border`). The Chabahar-Nhava Sheva direct lane no longer adds a day's",
        "  wait for a sailing on top of the 2-day port transfer (ACCI saw 1 day in port, IRISL",
        "  advertises 5 days port to port).",
        "- **Dushanbe-Bandar Abbas** now passes: the Central Asian rail borders take CPMM's",
        "  per-country times (Uzbek 6.0-6.8 h, Turkmen 3.7 h a side) instead of the 40.6 h CAREC",
        "  average, and Turkmen rail its 2024 transit times (22 km/h), so the rail route via",
        "  Turkmenistan and Sarakhs (288 h, 145 US$/t) beats trucking to Herat for the Khaf-Herat",
        "  railway.",
        "- **Karachi-Kabul**: the model takes rail to Quetta and trucks over Chaman (cheaper, 206",
        "  h, with the CPMM 54 h outbound dwell at Chaman); all by road it takes 134 h (Pakistani",
        "  trucks at 22 km/h) against the 3-4 days quoted. Its 90.9 US$/t is just under the all-in",
        "  95-155, which includes Pakistani transit clearance and the empty container's return to",
        "  Karachi, neither of which the model prices.",
        "- **Kashgar-Kabul TIR** (10 days, 2023 pilot): the model drives it in under 6 days; the",
        "  first TIR runs waited longer at Sost and Torkham than the CPMM average border times.",
        "",
    ]
    count_half = _count_half(out)
    if count_half:
        lines += count_half
    out.write_text("\n".join(lines) + "\n")
    print(f"{n_pass}/{len(results)} written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "validation.md")
