#!/usr/bin/env python3
"""Compare the transports of a side-by-side run (jmh/sidebyside.sh) cycle by cycle, within each state of the machine.

    python3 jmh/sidebyside.py RUN.csv OUT_DIR

A cycle took every transport's round trips in turn within a few tens of milliseconds, so its transports met one
state of the machine. The first transport of the file is the reference: a cycle is in the fast state when the
reference's p50 is within jmh/chart.py's FAST_ITERATION_WITHIN of its lowest, else in the slow state. Prints, per
state, each transport's median p50 and p99 over the cycles, the medians (and quartiles) of its ratios to the
reference and to the last transport in the same cycle, and how many cycles it beat the last transport in; writes
OUT_DIR/sidebyside.svg, the median p50 and p99 per state. Standard library only; the figures and colours are
jmh/chart.py's.
"""

import csv
import importlib.util
import os
import sys

_spec = importlib.util.spec_from_file_location("chart", os.path.join(os.path.dirname(__file__), "chart.py"))
chart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chart)

FIGURES = {"p50": "p50_ns", "p99": "p99_ns", "middle": "middle_mean_ns"}


def load(path):
    """(transports in file order, [{transport: {figure: ns}} per cycle])."""
    transports, cycles = [], {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["transport"] not in transports:
                transports.append(row["transport"])
            cycles.setdefault(int(row["cycle"]), {})[row["transport"]] = {
                name: float(row[column]) for name, column in FIGURES.items()}
    return transports, [cycles[c] for c in sorted(cycles)]


def states(transports, cycles):
    """[(state name, its cycles)]: fast and slow by the reference's p50."""
    reference = transports[0]
    lowest = min(c[reference]["p50"] for c in cycles)
    fast = [c for c in cycles if c[reference]["p50"] <= chart.FAST_ITERATION_WITHIN * lowest]
    slow = [c for c in cycles if c[reference]["p50"] > chart.FAST_ITERATION_WITHIN * lowest]
    return [(name, group) for name, group in (("fast", fast), ("slow", slow)) if group]


def quartiles(values):
    values = sorted(values)
    return values[len(values) // 4], chart.median(values), values[(3 * len(values)) // 4]


def per_cycle(group, transport, other, figure):
    return quartiles([c[transport][figure] / c[other][figure] for c in group])


def table(transports, name, group):
    reference, last = transports[0], transports[-1]
    print("#### %s state: %d cycles (%s p50 %s)\n" % (name.capitalize(), len(group), reference, "within %.1f× of its "
          "lowest" % chart.FAST_ITERATION_WITHIN if name == "fast" else "above that"))
    print("| transport | p50 | p99 | mean of the middle half | / %s p50 | / %s p99 | / %s p50 | / %s p99 | p50 below %s's |"
          % (reference, reference, last, last, last))
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for t in transports:
        cells = [chart.fmt_time(chart.median([c[t][f] for c in group])) for f in ("p50", "p99", "middle")]
        for other in (reference, last):
            for figure in ("p50", "p99"):
                low, middle, high = per_cycle(group, t, other, figure)
                cells.append("%.2f× (%.2f–%.2f)" % (middle, low, high))
        below = sum(1 for c in group if c[t]["p50"] < c[last]["p50"])
        cells.append("%d of %d" % (below, len(group)))
        print("| %s | %s |" % (t, " | ".join(cells)))
    print()


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    transports, cycles = load(argv[1])
    groups = states(transports, cycles)
    print("%d cycles of %s (per-cycle ratios: median, and quartiles in brackets)\n" % (len(cycles),
          ", ".join(transports)))
    for name, group in groups:
        table(transports, name, group)
    os.makedirs(argv[2], exist_ok=True)
    columns = [(name, figure, group) for name, group in groups for figure in ("p50", "p99")]
    path = os.path.join(argv[2], "sidebyside.svg")
    chart.bar_chart(path, "Round trip, transports in turn within each cycle (%s)" % os.path.basename(argv[1]),
                    "median over the cycles of each state (told by %s's p50); %d cycles" % (transports[0],
                                                                                            len(cycles)),
                    columns, transports, lambda col, t: chart.median([c[t][col[1]] for c in col[2]]), False,
                    lambda col: "%s, %s (%d cycles)" % (col[1], col[0], len(col[2])), chart.fmt_time)
    print("wrote " + path)


if __name__ == "__main__":
    main(sys.argv)
