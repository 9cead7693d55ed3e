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
from typing import Any

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


def _panel(ax: Any, table: pd.DataFrame, title: str, summary: dict[str, Any]) -> None:
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
        "**Which model is validated.** The run a user gets from `caravan run baseline-2025`: the"
        " year cut into its",
        "seasons (seasonal closures such as Khunjerab's winter), each settled under the atlas's"
        " capacities with queue",
        "prices and routes round full facilities, elastic demand on the calibrated atlas."
        " `caravan validate counts`",
        "runs exactly that, and `caravan calibrate` fits its demand, constants and scale with the"
        " same run at every",
        "step, so the fit reported here is the fit of the model that scenarios, ensembles and"
        " briefs use (until",
        "2026-12-07 calibration and validation used a one-season run without capacities).",
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
        "Before this round of work (main at `76e56a4`, calibrated before capacities and seasons"
        " existed and validated",
        "on a one-season run) the fit was 68% of 31 in sample within ±25% and 2 of 7 held out"
        " within ±40%. What",
        "changed: the calibration now fits the user's run (above); Afghan transit no longer"
        " crosses Pakistan from Iran",
        "(APTTA's designated corridors start at Pakistan's seaports); the Milak-Zaranj"
        " per-container"
        " carry fee is",
        "charged to containers only; new trade-based demand for Iraq's transit across Iran"
        " (a Sulaymaniyah node and",
        "the Parviz Khan road), Turkey-Azerbaijan road trade through Georgia, and Pakistan's"
        " government bulk",
        "imports through Gwadar.",
        "Then: Pakistan's Afghan transit processing fee and Gwadar's missing liner service in"
        " the network (Gulf",
        "containers for Kandahar no longer cross at Chaman), Tajikistan's rail trade through"
        " Kazakhstan from the 2025",
        "railway figures, and the Karakalpakstan railway. Then: Bandar Abbas's transit counted"
        " where IRICA books it,",
        "at entry; Gulf fuel for Afghanistan by road through Iran, not Karachi; no Iranian"
        " cargo through Pakistan's",
        "ports for Afghanistan; no fuel on the Khaf-Herat railway before its first tank train"
        " (26 Oct 2025); Iraqi",
        "fuel oil re-estimated from the Iraqi gateways' share of Iran's transit.",
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
    "The misses left are structural: trade the atlas cannot hold (no Armenia node or Upper Lars"
    " road, no pipelines), facilities whose cost the network gets wrong (Baku-Tbilisi-Kars),"
    " and counts whose definition the model cannot reproduce; each is discussed below"
    " rather than tuned away."
)

#: Diagnosis of each remaining miss; ``{r[count_id]}`` is the count's current ratio.
MISSES = [
    "## Where the model misses, and why",
    "",
    "Ratios are modelled/observed on the calibrated atlas; in sample passes within 0.75-1.25,"
    " held out within 0.60-1.40.",
    "",
    "- **Transit through Iran ({r[irn-transit]:.2f}) and Bandar Abbas transit"
    " ({r[bandar-abbas-transit]:.2f}).** Iraq has",
    "  a node (Sulaymaniyah, behind the Parviz Khan and Bashmaq crossings) with two sourced"
    " flows: Iraqi fuel oil to",
    "  the UAE (`irq-uae-oil`, 4.3 Mt: ~5 Mt of Iraqi oil products entered Iran in 1402, less"
    " fuel for Afghanistan) and",
    "  UAE goods for Iraq (`uae-irq-goods`). IRICA books each consignment at its gateway of"
    " entry (ILNA 2024: goods",
    '  "mostly imported to Iran through Shahid Rajaee and the border terminals of Parviz Khan,'
    " Bashmaq, Astara and",
    "  Bazargan\"; the 1396 gateway shares add up to 100%), so Bandar Abbas's count has"
    " `scope: transit_in`: transit",
    "  landed at the port and carried on by land. Counted both ways, as before, it took in the"
    " Iraqi mazut shipped out",
    "  at Bandar Abbas and held the Iraq flows under their priors (Iran at 0.61, its transit"
    " constant at the -40 US$/t",
    "  bound). Gulf and Iraqi fuel for Afghanistan crosses Iran by road (TOLOnews 2022; AVA"
    " 2024, ~460 Iranian",
    "  trucks), not Karachi, and reached the Khaf-Herat railway only in late October 2025."
    " Still thin in the table:",
    "  Turkey-Central Asia trucks through Iran and Azerbaijan-Nakhchivan road transit.",
    "- **Azerbaijan's transit ({r[aze-transit]:.2f}).** The 14.8 Mt (deputy minister, 2024) is"
    " rail and road, no",
    "  pipeline: ADY's rail transit of 7.3 Mt (2.8 Mt of it Kazakh and Turkmen oil in tank cars"
    " to the Georgian",
    "  terminals) and AYNA's >7 Mt of road transit (375,256 transit shipments), so it is"
    " like-for-like with the",
    "  model's modes and is kept (the statistics committee's TRACECA series, 17.2 Mt for"
    " Jan-Nov, is the high end).",
    "  The model holds the rail part in good measure. Of the road part it held ~1.4 Mt; Iranian"
    " loads for Georgia",
    "  (`irn-geo-road`, ~1 Mt, derived from the Astara and Bileh Savar truck counts) now cross"
    " it, over the",
    "  Bileh Savar-Bilasuvar road crossing as well as Astara. Still missing: Russia-Georgia,"
    " Russia-Armenia and",
    "  Russia-Turkey trucks that take Azerbaijan when Upper Lars is shut (no Upper Lars road, no"
    " Armenia node) and",
    "  Turkey-Central Asia trucks on the Caspian ferries beyond the rows held; no source splits"
    " the road transit by",
    "  partner. The country's transit constant still sits at its bound (-40 US$/t).",
    "- **Georgia ({r[geo-transit]:.2f}), Poti ({r[poti]:.2f}), Batumi ({r[batumi]:.2f} held"
    " out).** Turkey-Azerbaijan",
    "  road trade (4 Mt in 2024, PM Asadov) now crosses Georgia. Still missing: Armenia's trade"
    " (no Armenia node;",
    "  ~150 Armenian trucks a day at Upper Lars) and Russia-Turkey trucks via Upper Lars (no"
    " such road), and the",
    "  ports' Georgian own trade, held only in part (no tonnage by partner was found).",
    "- **INSTC west ({r[instc-west]:.2f}), Middle Corridor ({r[middle-corridor]:.2f}), Alat"
    " ({r[alat]:.2f}).** The",
    "  INSTC west figure (>3 Mt) conflicts with Astara customs (1.68 Mt a year); the model sits"
    " between them. Alat's",
    "  7.6 Mt holds Azerbaijan's own Caspian trade and Russian and Iranian ships calling at Baku,"
    " which the atlas",
    "  has no lanes for. The Turkmenbashi-Alat count adds Turkmen oil by tanker to Dubendi (0.27"
    " Mt, 2019) to the",
    "  ferry wagons and trucks, because the model's link carries the tankers as well.",
    "- **Karachi ATT ({r[karachi-att]:.2f}), Gwadar ({r[gwadar]:.2f}), Chaman ({r[chaman]:.2f}"
    " held out), Zaranj-Milak",
    "  ({r[zaranj-milak]:.2f} held out).** Gulf, Chinese and European containers for Kandahar"
    " and Kabul used to land at",
    "  Gwadar and cross at Chaman: the 2023 Afghan transit rules were only in the calibrated"
    " Karachi constant, which",
    "  Gwadar escaped, and Gwadar's lanes waited no longer than Karachi's. Both are now in the"
    " network: Pakistan's 10%",
    "  ad valorem processing fee on Afghan transit goods (FBR SRO 1380(I)/2023, widened by SRO"
    " 816(I)/2025; 93 US$/t",
    "  on containers, an estimate of the fee-bearing share) is charged on entering Pakistan at"
    " any port, and Gwadar's",
    "  lanes carry the wait of a port without a liner service (COSCO withdrew the only one; 17"
    " ship calls in 2023).",
    "  Gwadar's count is government bulk. Gulf fuel for Afghanistan, which the model shipped"
    " to Karachi (0.22 of its",
    "  0.29 Mt), now crosses Iran by road as the sources say, and Iranian cargo for"
    " Afghanistan does not use Pakistan's",
    "  ports (`pak-att-no-iranian-cargo`: ATT needs a bank guarantee and Pakistan's banks do"
    " not deal with Iran; an",
    "  inference). Karachi's count (7,200-9,600 ATT containers a year, ~0.1 Mt; 0.25 Mt from the"
    " US$0.97 bn of ATT",
    "  imports) is met, but partly by Russian flour for Kabul shipped by sea (~0.12 Mt, drawn by"
    " Karachi's constant,",
    "  -19 US$/t): the containers of sugar, cooking oil, tea, tyres and Chinese goods that make"
    " up ATT have no",
    "  South-East Asian origin in the table. The 212 items barred from Afghan transit (SRO"
    " 1397(I)/2023) and the 100% bank guarantee",
    "  are not priced, so the fee is a lower bound. The Gulf containers that left Chaman now"
    " enter through Iran",
    "  (Milak-Zaranj, Islam Qala); Chaman's count is from 2021 and excludes transit trucks,"
    " Zaranj-Milak's is from 2025.",
    "- **Baku-Tbilisi-Kars ({r[btk]:.2f} held out).** What overloads BTK is mostly calibration,"
    " not its cost: Azerbaijan's",
    "  transit constant at its bound and the Alat constant make the rail route Kazakhstan-"
    "Azerbaijan-Georgia-Kars",
    "  look cheap for Kazakh grain and metals bound for Istanbul. BTK carries no tank wagons"
    " (restriction",
    "  `btk-no-tank-wagons`: gondolas, containers and hoppers, covered wagons from 2021, per ADY"
    " Express), so",
    "  Kazakh oil runs to the Georgian terminals, as ADY's 2.8 Mt of oil in rail transit does;"
    " that flow",
    "  (`kaz-med-oil`) now ends at Batumi, where the sources leave it, instead of Piraeus. The"
    " crossing's capacity",
    "  is the transshipment's 5 Mt (1 Mt before 2024), which the 2025 run does not reach; the"
    " count is from 2022.",
    "- **Uzbekistan's transit ({r[uzb-transit]:.2f} held out).** Tajikistan's rail trade"
    " through Kazakhstan, all of",
    "  which crosses Uzbekistan, is now in the table from the railways' own figure (3.1 Mt in"
    " Jan-Jul 2025, of it",
    "  0.71 Mt of Russian oil products; row `kaz-tjk-rail` closes the total); the count is from"
    " 2023, the Tajik rows",
    "  from 2025. The Karakalpakstan railway (Bukhara-Misken-Nukus-Kungrad-Beyneu) gives Uzbek"
    " cargo its own way to",
    "  Aktau and Russia.",
    "- **Khaf-Herat ({r[khaf-herat]:.2f}), Turkmenistan's transit ({r[tkm-transit]:.2f}).**"
    " Khaf-Herat's 0.35 Mt is a",
    "  2025 ramp from 10 to 50 kt a month; Turkmenistan's 5.5 Mt is derived from a 2025 growth"
    " rate.",
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
    "1. run the base year as `caravan run` does (seasons, capacities, queue prices, routes round"
    " full facilities)",
    "   with the current demand and constants;",
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
    "The scale with the smallest sum of squared log ratios over the in-sample counts is kept;"
    " the fit reported",
    "after calibration is `caravan run baseline-2025` on the calibrated atlas, elastic demand"
    " included. `calibration.yaml`",
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
