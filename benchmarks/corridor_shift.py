"""Where a new corridor's cargo comes from: by sea, through Iran, or other routes, by flow.

Usage: ``.venv/bin/python benchmarks/corridor_shift.py [--a baseline-2025] [--b kabul-corridor]
[--project kabul-corridor]``. Runs both scenarios on the shipped (calibrated) atlas and prints,
for every flow that uses the project in B, its tonnes on the project, and how its tonnes in A
and B split between routes that use a sea leg, routes that cross Iran on land, and the rest;
then the totals: tonnes that left sea and Iranian routes, and tonnes created by elastic demand.
"""

from __future__ import annotations

import argparse

import pandas as pd

from caravan.io.atlas import load_atlas
from caravan.pipeline import run_scenario
from caravan.results.runs import RunResult


def _classes(run: RunResult) -> pd.DataFrame:
    """Tonnes per flow by route class: sea (any sea link), iran (crosses Iran on land), other."""
    links = run.atlas.links_frame
    sea = set(links.loc[links["mode"] == "sea", "link_id"])
    routes = run.routes.copy()
    ids = routes["link_ids"].fillna("").str.split(";")
    routes["sea"] = [bool(sea.intersection(x)) for x in ids]
    routes["iran"] = [
        ("IRN" in str(c).split(";")) and not s
        for c, s in zip(routes["countries"], routes["sea"], strict=True)
    ]
    routes["cls"] = [
        "sea" if s else ("iran" if i else "other")
        for s, i in zip(routes["sea"], routes["iran"], strict=True)
    ]
    out = routes.pivot_table(
        index="flow_id", columns="cls", values="tonnes_per_year", aggfunc="sum", fill_value=0.0
    )
    for c in ("sea", "iran", "other"):
        if c not in out:
            out[c] = 0.0
    return out[["sea", "iran", "other"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--a", default="baseline-2025")
    parser.add_argument("--b", default="kabul-corridor")
    parser.add_argument("--project", default="kabul-corridor")
    args = parser.parse_args()
    atlas = load_atlas()
    run_a = run_scenario(args.a, atlas=atlas)
    run_b = run_scenario(args.b, atlas=atlas)
    members = {
        lid for p in run_b.atlas.projects if p.project_id == args.project for lid in p.link_ids
    }
    rb = run_b.routes
    on = rb[rb["link_ids"].fillna("").str.split(";").map(lambda x: bool(members.intersection(x)))]
    by_flow = on.groupby("flow_id")["tonnes_per_year"].sum().sort_values(ascending=False)
    a, b = _classes(run_a), _classes(run_b)
    rows = []
    for flow_id, t in by_flow.items():
        ra = a.loc[flow_id] if flow_id in a.index else pd.Series({"sea": 0, "iran": 0, "other": 0})
        rbb = b.loc[flow_id] if flow_id in b.index else pd.Series({"sea": 0, "iran": 0, "other": 0})
        rows.append(
            {
                "flow": flow_id,
                "on_project_kt": t / 1e3,
                "sea_a_kt": ra["sea"] / 1e3,
                "sea_b_kt": rbb["sea"] / 1e3,
                "iran_a_kt": ra["iran"] / 1e3,
                "iran_b_kt": rbb["iran"] / 1e3,
                "total_a_kt": float(ra.sum()) / 1e3,
                "total_b_kt": float(rbb.sum()) / 1e3,
            }
        )
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(table.round(1).to_string(index=False))
    from_sea = (table["sea_a_kt"] - table["sea_b_kt"]).sum()
    from_iran = (table["iran_a_kt"] - table["iran_b_kt"]).sum()
    induced = (table["total_b_kt"] - table["total_a_kt"]).sum()
    print(
        f"\n{args.project}: {by_flow.sum() / 1e6:.2f} Mt on the project in {args.b}; of the flows "
        f"that use it, {from_sea / 1e3:.3f} Mt left sea routes, {from_iran / 1e3:.3f} Mt left "
        f"routes through Iran, {induced / 1e3:.3f} Mt is new (elastic demand)"
    )


if __name__ == "__main__":
    main()
