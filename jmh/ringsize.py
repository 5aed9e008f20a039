#!/usr/bin/env python3
"""Chart one-way throughput per fork for several configurations side by side (docs/benchmarks.md, Ring size, run 18).

    python3 jmh/ringsize.py OUT.svg 'TITLE' 'LABEL=FILE.json[:TRANSPORT]' ['LABEL=FILE.json[:TRANSPORT]' ...]

Each FILE holds the forks of one configuration: a JMH JSON result with one ThroughputBenchmark result (merged from
single forks by jmh/merge-forks.py), or with one of the given TRANSPORT. Every fork is a dot at the mean of its
iterations, the median fork a bar; the columns keep the order given. Prints each column's forks and median.
Standard library only; the per-fork figures are jmh/chart.py's.
"""

import importlib.util
import os
import sys
from xml.sax.saxutils import escape

_spec = importlib.util.spec_from_file_location("chart", os.path.join(os.path.dirname(__file__), "chart.py"))
chart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chart)

COLUMN_WIDTH, HEIGHT = 92, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 50, 60


def columns(specs):
    """[(label, [msg/s per fork])] of the ThroughputBenchmark result in each file."""
    out = []
    for spec in specs:
        label, _, path = spec.partition("=")
        path, _, transport = path.partition(":")
        results = [r for r in chart.load(path) if r["benchmark"] == chart.THROUGHPUT and
                   transport in ("", r["params"]["transport"])]
        if len(results) != 1:
            sys.exit("ringsize: %s holds %d throughput results, not one" % (path, len(results)))
        out.append((label, chart.fork_values(results[0]["primaryMetric"])))
    return out


def svg(title, data):
    top_value = max(v for _, forks in data for v in forks) * 1.1
    width = LEFT + RIGHT + COLUMN_WIDTH * len(data)
    plot_w, plot_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(data)

    def y(value):
        return TOP + plot_h * (1 - value / top_value)

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
             % (width, HEIGHT), '<rect width="100%" height="100%" fill="white"/>',
             '<text x="%d" y="20" font-size="14">%s</text>' % (LEFT, escape(title)),
             '<text x="%d" y="36" fill="#555">each dot a fork (mean of its iterations), each bar the median fork; '
             'M msg/s</text>' % LEFT]
    tick = 10e6
    value = 0.0
    while value <= top_value:
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (LEFT, width - RIGHT, y(value),
                                                                                   y(value)))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (LEFT - 6, y(value) + 4, value / 1e6))
        value += tick
    for index, (label, forks) in enumerate(data):
        centre = LEFT + step * (index + 0.5)
        middle = chart.median(forks)
        colour = chart.COLOURS["aeron"] if label.lower().startswith("aeron") else chart.COLOURS["ringport"]
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.25"/>'
                     % (centre - step * 0.3, y(middle), step * 0.6, TOP + plot_h - y(middle), colour))
        for fork, value in enumerate(forks):
            offset = (fork % 7 - 3) * step * 0.06
            parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (centre + offset, y(value), colour))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (centre, HEIGHT - BOTTOM + 16,
                                                                              escape(label)))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555" font-size="10">%d forks, %.1f M</text>'
                     % (centre, HEIGHT - BOTTOM + 30, len(forks), middle / 1e6))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    data = columns(argv[3:])
    for label, forks in data:
        print("%-24s median %5.1f M  forks %s" % (label, chart.median(forks) / 1e6,
                                                   ", ".join("%.1f" % (v / 1e6) for v in forks)))
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write(svg(argv[2], data))


if __name__ == "__main__":
    main(sys.argv)
