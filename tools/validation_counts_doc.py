"""Write the count half of docs/validation.md (base year against observed volumes) and its plot.

    .venv/bin/python tools/validation_counts_doc.py [OUT]

Runs ``baseline-2025`` twice on the shipped atlas (the trade-based prior, then the calibrated
atlas), draws ``docs/img/validation-fit.png`` (observed against modelled, log scales) and
replaces everything from the heading ``# Validation: the base year against observed volumes``
to the end of OUT (default ``docs/validation.md``). The route half above the heading
(``tools/validation_doc.py``) is kept as it is.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from caravan.calibration.validation import validate_counts
from caravan.io.atlas import load_atlas
from caravan.results.counts import fit_summary

ROOT = Path(__file__).resolve().parents[1]
HEADING = "# Validation: the base year against observed volumes"


def _panel(ax: plt.Axes, table: pd.DataFrame, title: str, summary: dict) -> None:
    obs = table["observed_tonnes"].to_numpy() / 1e6
    mod = np.maximum(table["modelled_tonnes"].to_numpy() / 1e6, 1e-3)
    held = table["holdout"].to_numpy(dtype=bool)
    lo, hi = 1e-2, 200.0
    line = np.array([lo, hi])
    ax.plot(line, line, color="black", lw=1)
    ax.fill_between(line, line * 0.75, line * 1.25, color="tab:green", alpha=0.15, label="±25%")
    ax.fill_between(line, line * 0.6, line * 1.4, color="tab:green", alpha=0.07, label="±40%")
    ax.scatter(obs[~held], mod[~held], s=22, color="tab:blue", label="in sample")
    ax.scatter(obs[held], mod[held], s=40, marker="D", color="tab:red", label="held out")
    for x, y, name in zip(obs, mod, table["count_id"], strict=True):
        ax.annotate(name, (x, y), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo * 0.1 if (mod < lo).any() else lo, hi)
    ax.set_xlabel("observed, Mt a year (log)")
    ax.set_ylabel("modelled, Mt a year (log)")
    ins, out = summary["in_sample_within_25pct"], summary["holdout_within_40pct"]
    ax.set_title(
        f"{title}\nin sample {100 * ins:.0f}% within ±25%; held out {100 * out:.0f}% within ±40%",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="upper left")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "–" if x is None else format(x, fmt)


def main(out: Path) -> None:
    t = time.perf_counter()
    prior = validate_counts(atlas=load_atlas(calibrated=False))
    atlas = load_atlas()
    post = validate_counts(atlas=atlas)
    seconds = time.perf_counter() - t
    cal = dict(atlas.meta.get("calibration") or {})
    held = set(post.table.loc[post.table["holdout"], "count_id"])
    prior_table = prior.table.assign(holdout=prior.table["count_id"].isin(held))
    ps, qs = fit_summary(prior_table), post.summary
    fig, axes = plt.subplots(1, 2, figsize=(12, 6), constrained_layout=True)
    _panel(axes[0], prior_table, "Trade-based prior, before calibration", ps)
    _panel(axes[1], post.table, "Calibrated base year (baseline-2025)", qs)
    img = out.parent / "img" / "validation-fit.png"
    img.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(img, dpi=130)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    ratio = dict(zip(post.table["count_id"], post.table["ratio"], strict=True))
    n_in, n_out = qs["in_sample_counts"], qs["holdout_counts"]
    met_in = (qs["in_sample_within_25pct"] or 0) >= 0.85
    met_out = (qs["holdout_within_40pct"] or 0) >= 0.70
    constants = cal.get("constants") or []
    lines = [
        HEADING,
        "",
        f"Caravan's base year (`baseline-2025`) is checked against {len(post.table)} observed "
        "volumes that ship with the",
        "atlas (`observed.csv`): border crossings, ports, corridors and country transit totals, "
        "each with",
        "its year, published figure and unit, the arithmetic that turns it into tonnes a year, a "
        "low/high",
        "range and its sources (ids `obs-*` and `trd-*` in `sources.yaml`, with URLs). "
        f"{n_out} are held out",
        "and never used in calibration (a test changes them and checks that the estimate does "
        "not move).",
        "",
        "```",
        "caravan validate counts             # observed vs modelled per count: ratio, GEH, "
        "pass rates",
        'caravan validate counts --json      # {"counts": [...], "in_sample_within_25pct", '
        '"holdout_within_40pct"}',
        "caravan calibrate [--holdout ID,...] # re-estimate; writes calibration.yaml + "
        "calibrated_demand.csv",
        ".venv/bin/python tools/validation_counts_doc.py   # this half of the page and the plot",
        "```",
        "",
        f"**Where the numbers come from.** Written by `tools/validation_counts_doc.py` at commit "
        f"`{commit}` from",
        f"the calibration of {str(cal.get('created_utc', '?'))[:16].replace('T', ' ')} UTC "
        f"(prior atlas digest `{str(cal.get('prior_digest', ''))[:8]}…`, logit scale "
        f"{cal.get('logit_scale_per_usd')} per US$/t,",
        f"{len(constants)} constants): one run of `baseline-2025` on the trade-based prior and "
        f"one on the calibrated atlas ({seconds:.0f} s",
        "for both on a shared, busy 2-core machine). A later commit or an edited atlas gives "
        "other numbers.",
        "",
        "## Result",
        "",
        "| | counts | trade-based prior | calibrated | target |",
        "|---|---:|---:|---:|---:|",
        f"| in sample, within ±25% | {n_in} | {_pct(ps['in_sample_within_25pct'])} | "
        f"**{_pct(qs['in_sample_within_25pct'])}** | 85% |",
        f"| held out, within ±40% | {n_out} | {_pct(ps['holdout_within_40pct'])} | "
        f"**{_pct(qs['holdout_within_40pct'])}** | 70% |",
        f"| in sample, median abs(log ratio) | {n_in} | "
        f"{_num(ps['in_sample_median_abs_log_ratio'])} | "
        f"{_num(qs['in_sample_median_abs_log_ratio'])} | |",
        f"| held out, median abs(log ratio) | {n_out} | "
        f"{_num(ps['holdout_median_abs_log_ratio'])} | "
        f"{_num(qs['holdout_median_abs_log_ratio'])} | |",
        f"| in sample, GEH < 5 | {n_in} | {_pct(ps['in_sample_geh_below_5'])} | "
        f"{_pct(qs['in_sample_geh_below_5'])} | |",
        "",
        f"**In sample: target {'met' if met_in else 'not met'}. Held out: target "
        f"{'met' if met_out else 'not met'}.** " + MISS_SUMMARY,
        "",
        "Before this round of work (main at `f0bc700`, calibrated on issue 16's cost model) the"
        " fit was 55% of 31 in",
        "sample within ±25% and 2 of 7 held out within ±40%. What changed: Caspian bulk and oil"
        " priced as river-sea",
        "ships and tankers (sourced freight), country transit constants, demand added where trade"
        " was missing (Kazakh",
        "oil via Dubendi and the Georgian terminals, Iran-Azerbaijan, Iran's own trade through"
        " Chabahar), and the",
        "Middle Corridor count measured on the Kazakh ports its source counts.",
        "",
        "![Observed against modelled, log scales, before and after calibration]"
        "(img/validation-fit.png)",
        "",
        "*Left: the trade-based prior. Right: the calibrated base year. Both axes are "
        "logarithmic. Blue: counts used in",
        "calibration; red diamonds: held out. Bands: ±25% and ±40%. Counts modelled at zero sit "
        "on the bottom edge.*",
        "",
        "## Count by count",
        "",
        "| count | kind | year | observed Mt (low–high) | prior Mt | calibrated Mt | ratio "
        "| GEH | set | pass |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    before = dict(zip(prior.table["count_id"], prior.table["modelled_tonnes"], strict=True))
    for row in post.table.to_dict("records"):
        ok = row["within_40pct"] if row["holdout"] else row["within_25pct"]
        lines.append(
            f"| {row['count_id']} | {row['kind']} | {row['year']} | "
            f"{row['observed_tonnes'] / 1e6:.2f} ({row['observed_tonnes_low'] / 1e6:.2f}–"
            f"{row['observed_tonnes_high'] / 1e6:.2f}) | {before[row['count_id']] / 1e6:.2f} | "
            f"{row['modelled_tonnes'] / 1e6:.2f} | {row['ratio']:.2f} | {row['geh']:.1f} | "
            f"{'held out' if row['holdout'] else 'in sample'} | {'yes' if ok else '**no**'} |"
        )
    lines += [
        "",
        "Prior = the trade-based demand with the scenario's logit scale and no constants; "
        "calibrated = the estimated",
        "demand, scale and route-choice constants. Pass = within ±25% (in sample) or ±40% "
        "(held out). GEH on 20-tonne",
        "loads per hour (see Method).",
        "",
        "## Estimated choice constants",
        "",
        "US$ per tonne added to the choice cost of every route through the counted place "
        "(negative: the place draws",
        "more cargo than its costs explain). A country's transit constant reaches every route "
        "that crosses it with",
        "neither end there.",
        "",
        "| count | kind | US$/t | links |",
        "|---|---|---:|---:|",
    ]
    kinds = dict(zip(post.table["count_id"], post.table["kind"], strict=True))
    for c in sorted(constants, key=lambda c: (kinds.get(c["count_id"], ""), c["count_id"])):
        lines.append(
            f"| {c['count_id']} | {kinds.get(c['count_id'], '')} | {float(c['usd_per_t']):.1f} | "
            f"{len(c['link_ids'])} |"
        )
    lines += ["", *[s.format(r=ratio) for s in MISSES], "", *METHOD]
    text = out.read_text() if out.exists() else ""
    head = text.split("\n" + HEADING, 1)[0].rstrip("\n") + "\n\n" if HEADING in text else text
    if head and not head.endswith("\n\n"):
        head = head.rstrip("\n") + "\n\n"
    out.write_text(head + "\n".join(lines) + "\n")
    print(f"count half written to {out}, plot {img}: in sample {_pct(qs['in_sample_within_25pct'])}"
          f", held out {_pct(qs['holdout_within_40pct'])}")  # fmt: skip


MISS_SUMMARY = (
    "The misses left are structural: trade the atlas cannot hold (no Iraq or Armenia node, no "
    "pipelines), facilities whose cost the network gets wrong, and counts that measure more "
    "than the model can report; each is discussed below rather than tuned away."
)

#: Diagnosis of each remaining miss; ``{r[count_id]}`` is the count's current ratio.
MISSES = [
    "## Where the model misses, and why",
    "",
    "- **Caspian sea route (instc-caspian {r[instc-caspian]:.2f}, Astrakhan {r[astrakhan]:.2f},"
    " Anzali {r[anzali]:.2f}).** Diagnosed as a cost error, not missing",
    "  demand: Russian grain, timber and metals for Iran sailed round by Suez because the atlas"
    " priced Caspian bulk",
    "  at the truck-ferry rate (64 US$/t Astrakhan-Anzali against 24-36 US$/t quoted for 3,000 t"
    " of corn, Sea Lines",
    "  2019-2020). Bulk and oil now use a ferry factor of 0.4 (river-sea ships and tankers);"
    " with it the sea route",
    "  enters the choice sets and the Russian ports fill.",
    "- **INSTC west (instc-west {r[instc-west]:.2f}).** The counterpart: with the sea cheap, the"
    " Astara land route loses",
    "  Russian bulk it carries in reality (trucks and rail wagons of timber, food and metals"
    " that do not go by",
    "  ship), and Astara's own Iran-Azerbaijan trade is only partly held.",
    "- **Middle Corridor and Alat ({r[middle-corridor]:.2f} and {r[alat]:.2f}).** The TITR"
    " figure (4.5 Mt) is Kazakhstan's",
    "  count for its own ports, so the count now sees the Aktau and Kuryk ferries only (it saw"
    " Turkmenbashi too,",
    "  which has its own count). Alat's 7.6 Mt also holds the Dubendi oil terminal and"
    " Azerbaijan's own Caspian",
    "  trade; missing demand added: Kazakh oil by tanker to Dubendi and rail to the Georgian"
    " terminals",
    "  (`kaz-med-oil`, ADY 2024). Russian and Iranian ships calling at Baku are not in the atlas"
    " (no such lanes).",
    "- **Transit through Iran ({r[irn-transit]:.2f}), Azerbaijan ({r[aze-transit]:.2f}) and"
    " Georgia ({r[geo-transit]:.2f}).**",
    "  Much of the observed transit is trade the atlas cannot hold: UAE-Iraq and Turkey-Iraq"
    " through Iran (no Iraq",
    "  node; Iraqi border posts were 7.3 of 20.3 Mt of Iran's transit entries in 1403), Armenia's"
    " trade and",
    "  Russia-Turkey trucks through Georgia (no Armenia node, no Upper Lars road), Kazakh and"
    " Turkmen crude in the",
    "  Baku-Tbilisi-Ceyhan pipeline (no pipelines). Country transit constants are bounded at"
    " US$40/t so that they",
    "  cannot stand in for that trade; a run with them at US$150/t fitted Azerbaijan and Georgia"
    " but sent 20 times",
    "  the observed tonnage over Baku-Tbilisi-Kars (held out), so the bound stays.",
    "- **Chabahar ({r[chabahar]:.2f}).** A measure the model could not report: the port's"
    " 2.5 Mt is mostly Iran's own",
    "  trade (Sistan-Baluchestan ports: 2.63 Mt non-oil in 1403, of which transit 18 kt), which"
    " the demand table did",
    "  not hold, so calibration could only reach the count by pulling Afghan transit through"
    " Chabahar. Added as",
    "  demand from the port statistics (`world-irn-chabahar`, ending at the port).",
    "- **Ports with their country's own trade (Poti {r[poti]:.2f}, Batumi {r[batumi]:.2f} held"
    " out, Gwadar {r[gwadar]:.2f}).**",
    "  Poti's and Batumi's totals include Georgia's and Armenia's own sea trade, held only in"
    " part (no tonnage by",
    "  partner was found); Gwadar's count is government bulk cargo (wheat, urea) the table does"
    " not hold, and the",
    "  model instead routes Gulf cargo for Kandahar through Gwadar.",
    "- **Bandar Abbas transit ({r[bandar-abbas-transit]:.2f}) and Karachi ATT"
    " ({r[karachi-att]:.2f}).** Bandar Abbas's",
    "  transit includes UAE-Iraq cargo (no Iraq node). With the network's costs, sea to Karachi"
    " and Pakistani roads",
    "  stay the cheapest way for Gulf and Chinese cargo to reach Afghanistan; the 2023-24"
    " trade-certificate rules,",
    "  closures and informal costs that push it to Iranian ports are not in the network.",
    "- **Khaf-Herat ({r[khaf-herat]:.2f}).** Russian LPG and Gulf cargo for Herat reach it via"
    " Bandar Abbas in the",
    "  model; the constants of Bandar Abbas transit (pulling) and Khaf-Herat (pushing) fall on"
    " the same routes.",
    "- **Held out:** Chaman ({r[chaman]:.2f}) and Zaranj-Milak ({r[zaranj-milak]:.2f}): since"
    " the atlas charges the",
    "  Zaranj zero-point container transfer (90-100k AFN a box, 2024), Gulf and Indian cargo for"
    " Kandahar and Kabul",
    "  leaves the Chabahar-Milak road for Karachi and Chaman in the model; the Chaman count also"
    " excludes transit",
    "  trucks and dates from 2021. BTK ({r[btk]:.2f}): the network prices Baku-Tbilisi-Kars"
    " far below what its",
    "  0.4 Mt implies (gauge change at Akhalkalaki, irregular service), and the Azerbaijani and"
    " Georgian transit",
    "  constants pull more cargo onto it. Batumi ({r[batumi]:.2f}, see above) and Uzbekistan's"
    " transit ({r[uzb-transit]:.2f};",
    "  Tajik, Kyrgyz-Ferghana and Turkmen trade through Uzbekistan is thin in the table) miss;"
    " Kuryk",
    "  ({r[kuryk]:.2f}) and Makhachkala ({r[makhachkala]:.2f}) pass.",
    "- **Hairatan-Naibabad** (not a count): the model hands rail cargo to trucks at Hairatan, so"
    " the Hairatan-Mazar",
    "  rail section carries little; the Termez-Hairatan crossing count itself fits.",
]

METHOD = [
    "## Method",
    "",
    "**Demand (the prior).** `demand.csv` holds the trade-based flows (origin, destination,"
    " commodity group, tonnes",
    "a year with a low/high range, year, basis and sources) built from published bilateral trade"
    " statistics",
    "(`sources.yaml`, ids `trd-*`, with URLs), turned into tonnes with sourced value-to-weight"
    " ratios or taken as",
    "published tonnages. Crude oil and gas in pipelines are not in the network.",
    "",
    "**Route choice.** Every flow chooses among distinct corridors (the cheapest routes by Yen's"
    " algorithm, merged",
    "when they share every land link, plus overland alternatives for flows whose best route"
    " goes by sea), with",
    "path-size logit shares under capacity delays (Ben-Akiva and Bierlaire 1999).",
    "",
    "**Calibration** (`caravan calibrate`, `src/caravan/calibration/`). The base year is routed"
    " once. For each logit",
    "scale on a grid (0.015, 0.03, 0.06 per US$/t) a bi-level loop (Yang 1995) alternates:",
    "1. settle route choice with the current demand and constants;",
    "2. estimate the demand from the in-sample counts by constrained generalised least squares"
    " towards the",
    "   trade-based prior (Cascetta 1984; Bell 1991): minimise Σ_f ((T_f − T0_f)/σ_f)² + Σ_c"
    " ((Σ_f P_cf T_f − y_c)/s_c)²,",
    "   σ_f a quarter of the row's low-high range (at least 5%), s_c a quarter of the count's"
    " range (at least 10%),",
    "   P the share of each flow each count sees under the current route choice, 0.5 × low ≤ T"
    " ≤ 2 × high;",
    "3. move the alternative-specific constant of each counted border, corridor, port and"
    " country by the damped",
    "   step κ ← κ + 0.7 ln(modelled/observed)/θ (Train 2009, s. 2.8), bounded to ±150 US$/t"
    " (±40 for a country's",
    "   transit). Constants of transit counts spare the country's own trade; their sum on one"
    " route may lower its",
    "   money cost by at most half.",
    "",
    "The scale with the smallest sum of squared log ratios over the in-sample counts is kept."
    " `calibration.yaml`",
    "keeps the method, references, scale, constants, held-out ids, fit before and after and"
    " provenance;",
    "`calibrated_demand.csv` the estimated tonnes per flow. `demand.csv` keeps the prior.",
    "",
    "**Held-out counts** are fixed in `observed.csv` (`holdout` column), one or more of each"
    " kind; calibration never",
    "reads them (`tests/calibration/test_workflow.py` multiplies them by 7 and checks the"
    " estimate is unchanged).",
    "",
    "**Elastic demand.** In a scenario run on a calibrated atlas, T = T0 (C/C0)^e with e = -0.5"
    " (range -1.0 to",
    "-0.2; Oum, Waters and Yong 1992). **Fit statistics:** ratio, absolute error and GEH on"
    " 20-tonne loads per hour.",
    "",
    "### References",
    "",
    "- Bell, M. G. H. (1991). The estimation of origin-destination matrices by constrained"
    " generalised least",
    "  squares. *Transportation Research B* 25(1), 13-22.",
    "- Ben-Akiva, M., Bierlaire, M. (1999). Discrete choice methods and their applications to"
    " short term travel",
    "  decisions. In Hall (ed.), *Handbook of Transportation Science*, 5-33.",
    "- Cascetta, E. (1984). Estimation of trip matrices from traffic counts and survey data: a"
    " generalized least",
    "  squares estimator. *Transportation Research B* 18(4-5), 289-299.",
    "- Oum, T. H., Waters, W. G., Yong, J.-S. (1992). Concepts of price elasticities of"
    " transport demand and recent",
    "  empirical estimates. *Journal of Transport Economics and Policy* 26(2).",
    "- Train, K. (2009). *Discrete Choice Methods with Simulation*, 2nd ed., section 2.8.",
    "- Yang, H. (1995). Heuristic algorithms for the bilevel origin-destination matrix"
    " estimation problem.",
    "  *Transportation Research B* 29(4), 231-242.",
]


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "validation.md")
