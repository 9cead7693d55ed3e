"""Base-year fit against observed volumes: the count table and the fit plots of docs/validation.md.

Usage: ``.venv/bin/python benchmarks/validation.py [--out docs/img]``. Runs ``baseline-2025``
on the shipped atlas twice, on the trade-based prior (``load_atlas(calibrated=False)``) and on
the calibrated atlas, and writes ``validation-fit.png`` (observed against modelled, log scales,
before and after calibration, held-out counts marked) and prints the count table as Markdown.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from caravan.calibration.validation import validate_counts
from caravan.io.atlas import load_atlas


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
    ax.set_xlabel("observed, Mt a year")
    ax.set_ylabel("modelled, Mt a year")
    ins = summary["in_sample_within_25pct"]
    out = summary["holdout_within_40pct"]
    ax.set_title(
        f"{title}\nin sample {100 * ins:.0f}% within ±25%; held out {100 * out:.0f}% within ±40%",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="upper left")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/img")
    args = parser.parse_args()
    t = time.perf_counter()
    prior = validate_counts(atlas=load_atlas(calibrated=False))
    post = validate_counts(atlas=load_atlas())
    held = [c for c in post.table.loc[post.table["holdout"], "count_id"]]
    # The prior run reports the same held-out set as the calibrated one.
    prior_table = prior.table.assign(holdout=prior.table["count_id"].isin(held))
    from caravan.results.counts import fit_summary

    prior_summary = fit_summary(prior_table)
    fig, axes = plt.subplots(1, 2, figsize=(12, 6), constrained_layout=True)
    _panel(axes[0], prior_table, "Trade-based prior, before calibration", prior_summary)
    _panel(axes[1], post.table, "Calibrated base year (baseline-2025)", post.summary)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "validation-fit.png", dpi=130)
    print(f"wrote {out / 'validation-fit.png'} in {time.perf_counter() - t:.1f} s")
    print()
    print("| count | kind | year | observed Mt | prior Mt | calibrated Mt | ratio | GEH | set |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    before = dict(zip(prior.table["count_id"], prior.table["modelled_tonnes"], strict=True))
    for row in post.table.to_dict("records"):
        print(
            f"| {row['count_id']} | {row['kind']} | {row['year']} | "
            f"{row['observed_tonnes'] / 1e6:.2f} | {before[row['count_id']] / 1e6:.2f} | "
            f"{row['modelled_tonnes'] / 1e6:.2f} | {row['ratio']:.2f} | {row['geh']:.1f} | "
            f"{'held out' if row['holdout'] else 'in sample'} |"
        )
    print()
    print("prior:", prior_summary)
    print("calibrated:", post.summary)


if __name__ == "__main__":
    main()
