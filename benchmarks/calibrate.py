"""How long ``caravan calibrate`` takes: CPU and wall time of the estimate, with the load.

Usage: ``.venv/bin/python benchmarks/calibrate.py [--runs N] [--atlas FOLDER]``. Each run calls
:func:`caravan.calibration.workflow.calibrate_atlas` with ``write=False`` on the shipped atlas
(or FOLDER) in this process and prints its wall time (``time.perf_counter``), CPU time
(``time.process_time``, all threads), the 1-minute load average before and after (``uptime``'s
figure) and the fit it reached. The machine is shared, so read the CPU column: wall time says
more about the other jobs than about the calibration.
"""

from __future__ import annotations

import argparse
import os
import time

from caravan.calibration.workflow import calibrate_atlas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--atlas", default=None)
    args = parser.parse_args()
    print("| run | wall s | CPU s | load before | load after | in sample ±25% | held out ±40% |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for run in range(1, args.runs + 1):
        load0 = os.getloadavg()[0]
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = calibrate_atlas(args.atlas, write=False)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        load1 = os.getloadavg()[0]
        fit = result.calibration.fit_after
        ins, out = fit["in_sample_within_25pct"], fit["holdout_within_40pct"]
        print(
            f"| {run} | {wall:.1f} | {cpu:.1f} | {load0:.1f} | {load1:.1f} | "
            f"{100 * ins:.0f}% | {100 * out:.0f}% |"
        )


if __name__ == "__main__":
    main()
