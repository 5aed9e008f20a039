#!/usr/bin/env python3
"""Merge JMH JSON results of single-fork runs into one result per benchmark and parameters, as if they had been
the forks of one run, so that jmh/chart.py shows them per fork.

    python3 jmh/merge-forks.py OUT.json RUN1.json RUN2.json ...

Forks keep the order of the files given (give them in the order they ran). SampleTime percentiles are recomputed
from the merged histograms and the score is their mean; other modes get the mean of every iteration. Score errors
are not recomputed (0); secondary results keep their first fork's score and gain every fork's rawData (a
fork without one is left out of them, so give all files with or all without the machine-state profiler). Standard
library only.
"""

import copy
import json
import sys

PERCENTILES = [0.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999, 99.9999, 100.0]


def percentile(counts, total, q):
    need, seen = total * q / 100.0, 0
    for value, count in counts:
        seen += count
        if seen >= need:
            return value
    return counts[-1][0]


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: merge-forks.py OUT.json RUN.json [RUN.json ...]\n")
        return 2
    merged, order = {}, []
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            for result in json.load(f):
                key = (result["benchmark"], json.dumps(result.get("params", {}), sort_keys=True))
                if key not in merged:
                    merged[key] = copy.deepcopy(result)
                    order.append(key)
                    continue
                into, metric = merged[key], result["primaryMetric"]
                into["forks"] += result["forks"]
                for series in ("rawDataHistogram", "rawData"):
                    if series in metric:
                        into["primaryMetric"][series] += metric[series]
                # Secondary results by fork too, so the per-fork machine state (ping.before/after) stays with its fork.
                secondary = into.setdefault("secondaryMetrics", {})
                for label, values in result.get("secondaryMetrics", {}).items():
                    if label in secondary:
                        secondary[label]["rawData"] += values.get("rawData", [])
                    else:
                        secondary[label] = copy.deepcopy(values)
    for key in order:
        result = merged[key]
        metric = result["primaryMetric"]
        if "rawDataHistogram" in metric:
            counts = sorted((value, count) for fork in metric["rawDataHistogram"] for iteration in fork
                            for value, count in iteration)
            total = sum(count for _, count in counts)
            metric["scorePercentiles"] = {str(q): percentile(counts, total, q) for q in PERCENTILES}
            metric["score"] = sum(value * count for value, count in counts) / total
        else:
            values = sorted(x for fork in metric["rawData"] for x in fork)
            metric["scorePercentiles"] = {"0.0": values[0], "50.0": values[len(values) // 2], "100.0": values[-1]}
            metric["score"] = sum(values) / len(values)
        metric["scoreError"] = 0.0
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump([merged[key] for key in order], f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
