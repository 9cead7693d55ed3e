"""Write docs/claims.md: every shipped claim's verdict, P, margin, band and evidence.

    .venv/bin/python tools/claims_doc.py [OUT] [--draws N]

The closing section compares the verdicts with ``tools/data/claims-verdicts-before.json``
(the verdicts on main before issue 19) and explains each change from ``CHANGES`` below; a
change not explained there is still listed, with its deciding check.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from caravan.claims import ClaimResult, Verdict, check_claims
from caravan.claims.draws import DEFAULT_DRAWS
from caravan.claims.parse import read_claims
from caravan.cli._claims import margin_text
from caravan.io.atlas import load_atlas
from caravan.io.claims import shipped_claims_path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "tools" / "data" / "claims-verdicts-before.json"
#: The article sources in the order docs/claims.md lists them, with author and short title.
ARTICLES = (
    ("umarova-2025-lapis-lazuli", "Umarova, *Azerbaijan, the Taliban and the Lapis Lazuli "
     "corridor*"),
    ("jamal-2025-jihadist-networks", "Jamal, *Russia's recognition of the Taliban and jihadist "
     "networks*"),
    ("umarova-2025-chabahar-gwadar", "Umarova, *Chabahar, Gwadar and the Kandahar vs Kabul "
     "corridors*"),
    ("turgunbaeva-ghiasi-2025-taliban-delisting", "Turgunbaeva and Ghiasi, *Russia removes the "
     "Taliban from its terror list*"),
    ("fazl-e-haider-2025-wakhan-corridor", "Fazl-e-Haider, *The Wakhan Corridor, China and "
     "Pakistan*"),
)  # fmt: skip
#: Why a verdict changed with issue 19 (uncertainty, not testable, facts, exact comparisons).
CHANGES = {
    "kabul-corridor-volume": 'A projection ("up to 22 million tons"): the demand table does not '
    "contain it, so a modelled flow neither confirms nor refutes it. Not testable (forecast).",
    "kazakhstan-20mt-transit": '"Up to 20 million tons per year" is a forecast upper bound; '
    "before, the demand table refuted it by construction. Not testable (forecast).",
    "russian-cargo-8-15mt": "Others' preliminary estimate of a future flow; the demand table has "
    "no Russian-South Asian volume to test it with. Not testable (reported estimate).",
    "wakhan-road-to-china": "Circular: the atlas's wakhan-road project was drawn from this very "
    "sentence, so the old route check only echoed it. Not testable (circular).",
    "chabahar-zahedan-railway": "The facts check compares the sentence's dates with the project "
    "record: construction began in 2013 with Iranian funds (2020 was the start of track-laying; "
    "Mehr News, Financial Tribune), 628 km matches, Indian financing is undocumented. Before, only "
    "the state of the line was checked.",
    "iran-transit-one-third": "Now compared with the routes the sentence names, each one route "
    "with its ship-to-rail transfer: by sea to Hamburg or Rotterdam then rail, and by sea to "
    'Lianyungang then rail; and "nearly one-third" is read as a size (a saving of 25-40%). '
    'Before, "via Europe" was modelled as Suez-Poti-Baku-Caspian and the saving (21%) fell short '
    "of 25%; now the Iranian route saves far more than a third of the time against both and of "
    "the money against Europe, so the sentence understates its case.",
    "torghundi-naibabad-excludes-uzbekistan": "Tested on the trans-Afghan chain the sentence means "
    "(Lahore through Naibabad to Europe, with and without Torghundi-Naibabad) instead of the "
    "cheapest India-EU route overland (a straw man: that cargo goes by sea). The chain keeps to "
    "Uzbekistan and Kazakhstan even with the new line.",
}


def _short(quote: str, n: int = 220) -> str:
    return quote if len(quote) <= n else quote[: n - 3].rsplit(" ", 1)[0] + " ..."


def _p(r: ClaimResult) -> str:
    return "-" if r.probability is None else f"{r.probability:.2f}"


def _claim_block(r: ClaimResult) -> list[str]:
    head = f"### `{r.claim.claim_id}`: **{r.verdict.value}**"
    facts = [f"P = {_p(r)}"]
    if r.margin is not None:
        facts.append(f"margin {margin_text(r.margin, r.band, r.unit)}")
    if r.reason:
        facts.append(f"reason: {r.reason}")
    lines = [head, "", "(" + "; ".join(facts) + ")", "", f"> {r.claim.quote}", ""]
    for c in r.checks:
        lines.append(f"- *{c.kind.value}*, {c.verdict.value}: {c.summary}")
        for key in ("route_1", "route_2", "route"):
            route = c.evidence.get(key)
            if isinstance(route, dict) and route.get("transfers"):
                lines.append(
                    f"  - {key.replace('_', ' ')}: {' - '.join(route['node_ids'])}; transfers: "
                    + "; ".join(route["transfers"])
                )
    lines += ["", f"How the sentence became checks: {r.claim.notes}", ""]
    return lines


def main(out: Path, draws: int) -> None:
    atlas = load_atlas()
    claims = read_claims(shipped_claims_path(atlas), atlas)
    started = time.perf_counter()
    results = check_claims(claims, atlas, ensemble_draws=draws)
    seconds = time.perf_counter() - started
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    counts = Counter(r.verdict for r in results)
    total = ", ".join(f"{counts[v]} {v.value}" for v in Verdict)
    lines = [
        "# Claims as checks: the source articles tested against the model",
        "",
        "The Trans-Eurasian atlas ships `claims.yaml`: the checkable sentences of the five source",
        "articles, quoted exactly, each with the checks that test it. This page is generated by",
        "`tools/claims_doc.py` from `caravan claims check`; reproduce it with",
        "",
        "```",
        "caravan claims check                        # table: verdict, P, margin ± band, evidence",
        "caravan claims check --json                 # every number",
        "caravan claims check --report claims.html   # a page with the quotes and the evidence",
        "caravan claims check --ensemble 200         # more draws (default 30)",
        "```",
        "",
        f"Atlas {atlas.name} {atlas.version} (digest `{atlas.digest[:12]}`), commit `{commit}`, "
        f"{draws} draws with random seed 1; this run took {seconds:.0f} s of wall time on a "
        "shared, "
        "busy machine (see `benchmarks/claims_check.py` for measured CPU and wall times).",
        "",
        "## How a claim is checked",
        "",
        "Check types: **route** (the best route from A to B in a scenario passes or avoids places,",
        "countries or projects; through `via` stops in order, with one mode per leg if asked),",
        "**compare** (route 1 is shorter, cheaper or faster than route 2 by at least a share of",
        "route 2's value), **flow** (a country's transit or a project's tonnes rise or fall",
        "between two scenarios by more than a threshold), **reachability** (a route exists),",
        "**facts** (start year, length, financier, status of a project against `projects.yaml`",
        "and its sources) and **not_testable** (a forecast, a statement of intent, a reported",
        "estimate, or a circular claim the atlas itself encodes).",
        "",
        "**Uncertainty by default.** Every model check runs over the same draws of the uncertain",
        "inputs (link lengths, tariffs and capacities, demand: the atlas's ranges with the",
        "distributions of the `baseline-2025` ensemble section; the scenario's projects are built,",
        "since the sentences say what a line *would* do). For each check: **P** is the share of",
        "draws in which it holds; the **margin** is how far the central estimate lies on the",
        "claimed side of the threshold (negative: the other side), in tonnes a year for flows and",
        "as a share for comparisons and routes (for a route check: how much dearer the best route",
        "on the other side of the claim is); the **band** is half the 10-90% range of the margin",
        "over the draws. A check is **supported** only when P >= 0.8 and the margin is above the",
        "band, **refuted** only when P <= 0.2 and the margin is below minus the band, otherwise",
        "**inconclusive**. Route and compare checks recost their candidate routes (up to 5) under",
        "each draw; like `caravan ensemble`, they do not search routes again. Reachability does",
        "not depend on the drawn inputs (P is 1 or 0).",
        "",
        "**A claim** is refuted if any check is, inconclusive if any is, not testable if none is",
        "testable, and supported otherwise, provided its checks hold *together* in at least 80%",
        "of the draws. Its P is that joint share; its margin and band are those of the check that",
        'decides the verdict. Conventions: "rises/falls" with no size means by more than',
        "10,000 t a year; flows compare the scenario that realises the sentence with the one it",
        "changes; a project's tonnes count all cargo on its links.",
        "",
        "## Summary",
        "",
        f"{len(results)} claims: **{total}**.",
        "",
    ]
    for source_id, title in ARTICLES:
        mine = [r for r in results if source_id in r.claim.source_ids]
        c = Counter(r.verdict.value for r in mine)
        lines.append(
            f"- {title}: {len(mine)} claims"
            + (" (" + ", ".join(f"{n} {v}" for v, n in c.most_common()) + ")" if mine else "")
        )
    lines.append("")
    for source_id, title in ARTICLES:
        mine = [r for r in results if source_id in r.claim.source_ids]
        lines += [f"## {title} ({len(mine)} claims)", ""]
        if not mine:
            lines += [
                "The article is about militant networks (TTP camps, al-Qaeda, ETIM) and makes no",
                "route or flow claim. Its findings feed the risk of the `pakistan-insecurity`",
                "scenario instead.",
                "",
            ]
        for r in mine:
            lines += _claim_block(r)
    before = json.loads(BEFORE.read_text(encoding="utf-8")) if BEFORE.is_file() else {}
    changed = [
        r for r in results if before.get(r.claim.claim_id, r.verdict.value) != r.verdict.value
    ]
    lines += [
        "## Verdicts that changed with issue 19",
        "",
        "Against `caravan claims check` on main before issue 19 (deterministic, the verdicts in",
        f"`tools/data/claims-verdicts-before.json`: {_tally(before.values())}), {len(changed)}",
        "verdicts changed. The atlas, the cost model and the calibration also moved since then",
        "(other issues), so a change explained only by the numbers over the draws may come from",
        "them as much as from the uncertainty:",
        "",
        "| claim | before | now | P | why |",
        "|---|---|---|---|---|",
    ]
    for r in changed:
        why = CHANGES.get(r.claim.claim_id) or _why_from_draws(r)
        lines.append(
            f"| `{r.claim.claim_id}` | {before[r.claim.claim_id]} | {r.verdict.value} | {_p(r)} "
            f"| {why} |"
        )
    same = [
        r
        for r in results
        if r.claim.claim_id in CHANGES and before.get(r.claim.claim_id) == r.verdict.value
    ]
    if same:
        lines += [
            "",
            "Same verdict, new reason:",
            "",
            "| claim | verdict | P | why |",
            "|---|---|---|---|",
        ]
        for r in same:
            lines.append(
                f"| `{r.claim.claim_id}` | {r.verdict.value} | {_p(r)} | "
                f"{CHANGES[r.claim.claim_id]} |"
            )
    lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out} ({len(results)} claims: {total}; {len(changed)} changed; {seconds:.0f} s)")


def _tally(verdicts: object) -> str:
    c = Counter(verdicts)  # type: ignore[call-overload]
    return ", ".join(f"{n} {v}" for v, n in c.most_common())


def _why_from_draws(r: ClaimResult) -> str:
    deciding = next((c for c in r.checks if c.verdict is r.verdict), r.checks[0])
    return (
        "Over the draws: "
        + f"P = {_p(r)}, margin {margin_text(r.margin, r.band, r.unit)}. "
        + deciding.summary.split("; P =")[0]
    ).replace("|", "/")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = DEFAULT_DRAWS
    if "--draws" in sys.argv:
        n = int(sys.argv[sys.argv.index("--draws") + 1])
        args = [a for a in args if a != str(n)]
    main(Path(args[0]) if args else ROOT / "docs" / "claims.md", n)
