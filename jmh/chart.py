#!/usr/bin/env python3
"""Turn a JMH JSON result of the Ringport suite into SVG charts and Markdown tables.

    python3 jmh/chart.py jmh/results/RUN.json [OTHER_RUN.json ...] docs/

writes docs/benchmarks-roundtrip-p50.svg, -p99.svg, -roundtrip-32.svg, -throughput.svg and -wake.svg (for the
benchmarks the first file holds) and prints the Markdown tables of docs/benchmarks.md on standard output: the first run's tables,
then the issue-3 headline ratios of every run given, one column per run, then the first run's figure per fork of every
benchmark it ran in several forks (the p50 of each fork's samples, or the mean of its iterations). Forks run with
io.ringport.jmh.MachineStateProfiler carry the machine's state (fast or slow, docs/benchmarks.md What limits item 4):
the per-fork table marks it and the ratios are also given between the median forks of each state. Last, per
SampleTime benchmark, its iterations in the fast state, told by each iteration's own p50 (a state can change within
a fork), and the 32 B round trip's ratios between their medians. Standard library only.
"""

import json
import math
import os
import sys
from xml.sax.saxutils import escape

ROUND_TRIP = "io.ringport.jmh.RoundTripBenchmark.roundTrip"
THROUGHPUT = "io.ringport.jmh.ThroughputBenchmark.oneWay"
WAKE = "io.ringport.jmh.WakeBenchmark."
IDLE = "io.ringport.jmh.IdleCpuBenchmark.idle"
LAUNCH = "io.ringport.jmh.LaunchBenchmark."
DOORBELL = "io.ringport.jmh.DoorbellBenchmark.roundTrip"

TRANSPORT_ORDER = ["raw", "raw-2line", "agrona", "ring", "ringport", "ringport-sync", "ringport-blocking", "aeron", "chronicle", "uds", "tcp"]
COLOURS = {
    "raw": "#7f7f7f", "raw-2line": "#c7c7c7", "agrona": "#bcbd22", "ring": "#ffbb78", "ringport": "#d62728", "ringport-sync": "#ff9896", "ringport-blocking": "#e377c2",
    "aeron": "#1f77b4", "chronicle": "#9467bd", "uds": "#2ca02c", "tcp": "#8c564b",
    "ringport poll": "#d62728", "ringport invoker": "#ff9896", "ringport managed": "#e377c2", "unix socket": "#2ca02c",
    "futex doorbell": "#ff7f0e", "selector doorbell": "#98df8a",
}
# A fork's machine state (io.ringport.jmh.MachineStateProfiler): slow when its one-line ping-pong p50 is above this.
SLOW_PING_ABOVE_NS = 250.0
# A SampleTime iteration ran in the machine's fast state when its p50 is within this factor of the lowest
# iteration p50 of the same benchmark and parameters (iteration_table).
FAST_ITERATION_WITHIN = 1.5
PERCENTILES = [("p50", "50.0"), ("p90", "90.0"), ("p99", "99.0"), ("p99.9", "99.9"), ("max", "100.0")]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def to_ns(value, unit):
    scale = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}[unit]
    return value * scale


def fmt_time(ns):
    if ns < 1e3:
        return "%.0f ns" % ns
    if ns < 1e6:
        return "%.2f µs" % (ns / 1e3) if ns < 1e4 else "%.1f µs" % (ns / 1e3)
    return "%.2f ms" % (ns / 1e6) if ns < 1e7 else "%.0f ms" % (ns / 1e6)


def fmt_rate(value):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return "%.2f %s" % (value / scale, unit)
    return "%.0f" % value


def fmt_size(size):
    size = int(size)
    if size >= 1 << 20:
        return "%d MiB" % (size >> 20)
    if size >= 1 << 10:
        return "%d KiB" % (size >> 10)
    return "%d B" % size


def ordered(transports):
    known = [t for t in TRANSPORT_ORDER if t in transports]
    return known + sorted(t for t in transports if t not in TRANSPORT_ORDER)


def round_trips(results):
    """{(transport, size): {"p50": ns, ...}} of the round-trip benchmark."""
    table = {}
    for r in results:
        if r["benchmark"] != ROUND_TRIP:
            continue
        metric = r["primaryMetric"]
        unit = metric["scoreUnit"]
        row = {name: to_ns(metric["scorePercentiles"][key], unit) for name, key in PERCENTILES}
        row["n"] = len(metric.get("rawDataHistogram", [[]])[0]) and sum(
            count for fork in metric["rawDataHistogram"] for it in fork for _, count in it)
        table[(r["params"]["transport"], int(r["params"]["size"]))] = row
    return table


def throughputs(results):
    table = {}
    for r in results:
        if r["benchmark"] != THROUGHPUT:
            continue
        metric = r["primaryMetric"]
        table[(r["params"]["transport"], int(r["params"]["size"]))] = (metric["score"], metric["scoreError"])
    return table


# ---------------------------------------------------------------------------------------------------------- SVG

def bar_chart(path, title, subtitle, groups, series, value, log, label, axis_format):
    """Grouped bars: one group per entry of groups, one bar per series; value(group, series) or None."""
    values = [value(g, s) for g in groups for s in series]
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return False
    width, height = 960, 460
    left, right, top, bottom = 80, 170, 60, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    if log:
        lo = 10 ** math.floor(math.log10(min(values)))
        hi = 10 ** math.ceil(math.log10(max(values)))
        if hi <= lo:
            hi = lo * 10

        def y(v):
            return top + plot_h - plot_h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

        ticks = [10 ** e for e in range(int(math.log10(lo)), int(math.log10(hi)) + 1)]
    else:
        lo, hi = 0.0, max(values) * 1.1

        def y(v):
            return top + plot_h - plot_h * (v - lo) / (hi - lo)

        step = 10 ** math.floor(math.log10(hi / 5))
        ticks = [i * step for i in range(0, int(hi / step) + 1)]

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="Helvetica, Arial, sans-serif" font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>' % (left, escape(title)),
           '<text x="%d" y="42" fill="#555">%s</text>' % (left, escape(subtitle))]
    for t in ticks:
        ty = y(t)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, left + plot_w, ty, ty))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#333">%s</text>'
                   % (left - 6, ty + 4, escape(axis_format(t))))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>' % (left, left + plot_w, top + plot_h,
                                                                         top + plot_h))
    group_w = plot_w / len(groups)
    bar_w = group_w * 0.8 / len(series)
    for gi, g in enumerate(groups):
        gx = left + gi * group_w + group_w * 0.1
        for si, s in enumerate(series):
            v = value(g, s)
            if v is None or v <= 0:
                continue
            x = gx + si * bar_w
            top_y = y(v)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>'
                       % (x, top_y, bar_w - 1, top + plot_h - top_y, COLOURS.get(s, "#444"), escape(s),
                          escape(label(g)), escape(axis_format(v))))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (left + gi * group_w + group_w / 2, top + plot_h + 18, escape(label(g))))
    for si, s in enumerate(series):
        ly = top + 10 + si * 20
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (width - right + 20, ly,
                                                                             COLOURS.get(s, "#444")))
        out.append('<text x="%d" y="%d">%s</text>' % (width - right + 38, ly + 10, escape(s)))
    out.append('</svg>')
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def charts(results, out_dir, source):
    written = []
    rt = round_trips(results)
    if rt:
        sizes = sorted({size for _, size in rt})
        transports = ordered({t for t, _ in rt})
        for name in ("p50", "p99"):
            path = os.path.join(out_dir, "benchmarks-roundtrip-%s.svg" % name.replace(".", "_"))
            if bar_chart(path, "Round trip %s by message size (log scale, lower is better)" % name,
                         "echo partner in another process; JMH SampleTime; " + source,
                         sizes, transports, lambda g, s: rt.get((s, g), {}).get(name), True, fmt_size, fmt_time):
                written.append(path)
        if any(size == 32 for _, size in rt):
            names = [p for p, _ in PERCENTILES]
            path = os.path.join(out_dir, "benchmarks-roundtrip-32.svg")
            if bar_chart(path, "32 B round trip percentiles (log scale, lower is better)",
                         "echo partner in another process; JMH SampleTime; " + source,
                         names, transports, lambda g, s: rt.get((s, 32), {}).get(g), True, str, fmt_time):
                written.append(path)
    tp = throughputs(results)
    if tp:
        sizes = sorted({size for _, size in tp})
        transports = ordered({t for t, _ in tp})
        path = os.path.join(out_dir, "benchmarks-throughput.svg")
        if bar_chart(path, "One-way throughput, messages/s (log scale, higher is better)",
                     "sink partner in another process; JMH Throughput; " + source,
                     sizes, transports, lambda g, s: tp.get((s, g), (None,))[0], True, fmt_size, fmt_rate):
            written.append(path)
    wake = wakes(results)
    if wake:
        groups = [g for g in ("p50", "p90", "p99") if any(g in row for row in wake.values())]
        series = [s for s in ("ringport poll", "ringport invoker", "ringport managed", "unix socket",
                              "futex doorbell", "selector doorbell") if s in wake]
        path = os.path.join(out_dir, "benchmarks-wake.svg")
        if bar_chart(path, "Round trip after 20 ms idle, blocking waits (lower is better)",
                     "ringport BLOCKING (poll, invoker requestSync, managed requestSync) vs a blocking Unix socket; "
                     "bare doorbells; " + source, groups, series, lambda g, s: wake.get(s, {}).get(g), False, str,
                     fmt_time):
            written.append(path)
    return written


def wakes(results):
    """{series: {"p50": ns, ...}} of the wake-from-idle round trips (blocking) and the bare doorbells after idle."""
    table = {}
    for mode in ("poll", "invoker", "managed"):
        row = sampled(results, WAKE + "ringport", {"wait": "blocking", "mode": mode})
        if row:
            table["ringport " + mode] = row
    row = sampled(results, WAKE + "unixSocket")
    if row:
        table["unix socket"] = row
    for bell in ("futex", "selector"):
        row = sampled(results, DOORBELL, {"doorbell": bell, "idleMs": "20"})
        if row:
            table[bell + " doorbell"] = row
    return table


# ----------------------------------------------------------------------------------------------------- Markdown

def ratio(a, b):
    return "%.2f×" % (a / b) if a and b else "n/a"


def tables(results):
    lines = []
    rt = round_trips(results)
    if rt:
        sizes = sorted({size for _, size in rt})
        transports = ordered({t for t, _ in rt})
        for size in sizes:
            lines.append("#### Round trip, %s\n" % fmt_size(size))
            lines.append("| transport | p50 | p90 | p99 | p99.9 | max | p50 vs raw | p99 vs raw | p50 vs ringport |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            raw = rt.get(("raw", size), {})
            rp = rt.get(("ringport", size), {})
            for t in transports:
                row = rt.get((t, size))
                if not row:
                    continue
                lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    t, fmt_time(row["p50"]), fmt_time(row["p90"]), fmt_time(row["p99"]), fmt_time(row["p99.9"]),
                    fmt_time(row["max"]), ratio(row["p50"], raw.get("p50")), ratio(row["p99"], raw.get("p99")),
                    ratio(row["p50"], rp.get("p50"))))
            lines.append("")
    tp = throughputs(results)
    if tp:
        lines.append("#### One-way throughput\n")
        lines.append("| transport | size | messages/s | ± (99.9 % CI) | bytes/s | vs ringport |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for size in sorted({size for _, size in tp}):
            rp = tp.get(("ringport", size), (None, None))[0]
            for t in ordered({t for t, s in tp if s == size}):
                score, error = tp[(t, size)]
                err = fmt_rate(error) if error == error else "n/a"
                lines.append("| %s | %s | %s | %s | %sB | %s |" % (t, fmt_size(size), fmt_rate(score), err,
                                                                 fmt_rate(score * size), ratio(score, rp)))
        lines.append("")
    other = [r for r in results if r["benchmark"].startswith((WAKE, DOORBELL, IDLE, LAUNCH))]
    if other:
        lines.append("#### Wake from idle, doorbells, idle CPU, launch and connect\n")
        lines.append("| benchmark | params | mode | samples | score | p50 | p99 | secondary |")
        lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |")
        for r in other:
            metric = r["primaryMetric"]
            unit = metric["scoreUnit"]
            pct = metric.get("scorePercentiles", {})
            secondary = ", ".join("%s %.2f" % (k, v["score"]) for k, v in sorted(r.get("secondaryMetrics", {}).items())
                                  if not k.startswith("p0") and not k.startswith("p1"))
            params = ", ".join("%s=%s" % kv for kv in sorted(r.get("params", {}).items()))
            samples = sum(count for fork in metric.get("rawDataHistogram", []) for it in fork for _, count in it) \
                if "rawDataHistogram" in metric else sum(len(fork) for fork in metric.get("rawData", []))
            lines.append("| %s | %s | %s | %d | %s | %s | %s | %s |" % (
                r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1], params or "-",
                r["mode"], samples, fmt_time(to_ns(metric["score"], unit)) if unit.endswith("/op") else
                "%.3g %s" % (metric["score"], unit),
                fmt_time(to_ns(pct["50.0"], unit)) if "50.0" in pct and unit.endswith("/op") else "",
                fmt_time(to_ns(pct["99.0"], unit)) if "99.0" in pct and unit.endswith("/op") else "",
                secondary))
        lines.append("")
    return "\n".join(lines)


def sampled(results, benchmark, params=None):
    """Percentiles (ns) of a SampleTime benchmark, or None."""
    for r in results:
        if r["benchmark"] == benchmark and all(r.get("params", {}).get(k) == v for k, v in (params or {}).items()):
            metric = r["primaryMetric"]
            return {name: to_ns(metric["scorePercentiles"][key], metric["scoreUnit"]) for name, key in PERCENTILES}
    return None


def single_shot(results, benchmark, params=None, defaults=None):
    """Score (ns) of a SingleShotTime benchmark with these params; defaults stand in for params a run lacks."""
    for r in results:
        given = dict(defaults or {}, **r.get("params", {}))
        if r["benchmark"] == benchmark and all(given.get(k) == v for k, v in (params or {}).items()):
            return to_ns(r["primaryMetric"]["score"], r["primaryMetric"]["scoreUnit"])
    return None


def headlines(results):
    """The issue-3 targets as (label, measured ratio, target) rows."""
    rt = round_trips(results)
    tp = throughputs(results)
    rp, raw, aeron, uds = (rt.get((t, 32), {}) for t in ("ringport", "raw", "aeron", "uds"))
    wake_rp = sampled(results, WAKE + "ringport", {"wait": "blocking", "mode": "poll"}) or {}
    wake_uds = sampled(results, WAKE + "unixSocket") or {}
    futex = sampled(results, DOORBELL, {"doorbell": "futex", "idleMs": "20"}) or {}
    selector = sampled(results, DOORBELL, {"doorbell": "selector", "idleMs": "20"}) or {}
    # Runs from before the classData parameter launched without an archive.
    cold = single_shot(results, LAUNCH + "coldLaunch", {"classData": "archive"}, {"classData": "none"})
    cold_none = single_shot(results, LAUNCH + "coldLaunch", {"classData": "none"}, {"classData": "none"})
    cold_trained = single_shot(results, LAUNCH + "coldLaunch", {"classData": "trained"})
    # Runs from before the bareStart parameter took the class from the jar.
    bare = single_shot(results, LAUNCH + "bareJvm", {"bareStart": "jar"}, {"bareStart": "jar"})
    bare_archived = single_shot(results, LAUNCH + "bareJvm", {"bareStart": "archive"})

    def div(a, b):
        return a / b if a and b else None

    return [
        ("ringport busy-spin p50 / raw ping-pong p50, 32 B", div(rp.get("p50"), raw.get("p50")), "≤ 1.15"),
        ("ringport busy-spin p99 / raw ping-pong p99, 32 B", div(rp.get("p99"), raw.get("p99")), "≤ 1.5"),
        ("ringport p50 / Aeron IPC p50, 32 B", div(rp.get("p50"), aeron.get("p50")), "< 1"),
        ("ringport p99 / Aeron IPC p99, 32 B", div(rp.get("p99"), aeron.get("p99")), "< 1"),
        ("Unix socket p50 / ringport p50, 32 B", div(uds.get("p50"), rp.get("p50")), "≥ 30"),
        ("ringport / Aeron IPC messages/s, 64 B", div(tp.get(("ringport", 64), (None,))[0],
                                                      tp.get(("aeron", 64), (None,))[0]), "≥ 1"),
        ("blocking wake p50 (invoker poll) / Unix socket wake p50 (both idle 20 ms)",
         div(wake_rp.get("p50"), wake_uds.get("p50")), "≤ 1"),
        ("blocking wake p50 / Unix socket hot round trip p50, 32 B", div(wake_rp.get("p50"), uds.get("p50")), "≤ 1"),
        ("cold launch to first echo (class-data archive of an earlier launch) / bare JVM start", div(cold, bare),
         "≤ 1.2"),
        ("cold launch to first echo (no archive: a service's first launch) / bare JVM start", div(cold_none, bare),
         "≤ 1.2"),
        ("cold launch to first echo (a first launch after class-data training) / bare JVM start",
         div(cold_trained, bare), "≤ 1.2"),
        ("context: cold launch (archive of an earlier launch) / bare JVM from an archive of its own",
         div(cold, bare_archived), "none"),
        ("futex doorbell p50 / Unix socket + Selector doorbell p50 (idle 20 ms)", div(futex.get("p50"),
                                                                                        selector.get("p50")), "< 1: futex kept"),
        ("median fork: ringport p50 / raw ping-pong p50, 32 B (3+ forks each)",
         div(median_fork(results, ROUND_TRIP, "ringport", 32), median_fork(results, ROUND_TRIP, "raw", 32)), "≤ 1.15"),
        ("median fork: ringport p50 / Aeron IPC p50, 32 B (3+ forks each)",
         div(median_fork(results, ROUND_TRIP, "ringport", 32), median_fork(results, ROUND_TRIP, "aeron", 32)), "< 1"),
        ("median fork: ringport / Aeron IPC messages/s, 64 B (3+ forks each)",
         div(median_fork(results, THROUGHPUT, "ringport", 64), median_fork(results, THROUGHPUT, "aeron", 64)), "≥ 1"),
    ] + [(label % state, div(median_fork(results, benchmark, "ringport", size, state, 2),
                             median_fork(results, benchmark, other, size, state, 2)), target)
         for state in ("fast", "slow")
         for label, benchmark, other, size, target in (
             ("median %s-state fork: ringport p50 / raw ping-pong p50, 32 B (2+ forks each)", ROUND_TRIP, "raw", 32,
              "≤ 1.15"),
             ("median %s-state fork: ringport p50 / Aeron IPC p50, 32 B (2+ forks each)", ROUND_TRIP, "aeron", 32,
              "< 1"),
             ("median %s-state fork: ringport / Aeron IPC messages/s, 64 B (2+ forks each)", THROUGHPUT, "aeron", 64,
              "≥ 1"))]


def median_fork(results, benchmark, transport, size, state=None, least=3):
    """The median of one benchmark's per-fork figures (see fork_values), of the forks in one machine state if state
    is given (see fork_states), or None with fewer than least such forks."""
    for r in results:
        params = r.get("params", {})
        if r["benchmark"] == benchmark and params.get("transport") == transport and int(params.get("size", 0)) == size:
            values = fork_values(r["primaryMetric"])
            if state is not None:
                values = [v for v, s in zip(values, fork_states(r)) if s == state]
            return median(values) if len(values) >= least else None
    return None


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2.0


def fork_states(result):
    """Per fork, the machine's state its pings before and after it found: "fast", "slow", "mixed" (the state changed
    during the fork) or None (the fork ran without io.ringport.jmh.MachineStateProfiler)."""
    states = []
    for b, a in zip(per_fork(result, "ping.before"), per_fork(result, "ping.after")):
        slow = [value > SLOW_PING_ABOVE_NS for value in (b, a) if value is not None]
        states.append(None if len(slow) < 2 else "slow" if all(slow) else "fast" if not any(slow) else "mixed")
    return states


def per_fork(result, label):
    """Per fork, the figure of a secondary result that one iteration of each fork carries (the machine-state
    profiler's), or None for every fork when the result does not have one for each."""
    forks = len(result["primaryMetric"].get("rawDataHistogram", result["primaryMetric"].get("rawData", [])))
    values = result.get("secondaryMetrics", {}).get(label, {}).get("rawData", [])
    if len(values) != forks:
        return [None] * forks
    return [max(fork) if fork and max(fork) == max(fork) else None for fork in values]


def fork_values(metric):
    """One figure per fork: the p50 of its samples (SampleTime, ns) or the mean of its iterations (others)."""
    if "rawDataHistogram" in metric:
        values = []
        for fork in metric["rawDataHistogram"]:
            counts = [(value, count) for iteration in fork for value, count in iteration]
            if counts:
                values.append(histogram_percentiles(counts, (0.5,), metric["scoreUnit"])[0])
        return values
    return [sum(fork) / len(fork) for fork in metric.get("rawData", []) if fork]


def fork_table(results):
    """Markdown: each benchmark run in more than one fork, with its figure per fork and the median fork."""
    lines = ["| benchmark | params | per fork (machine state: f fast, s slow, m changed; vCPU time stolen) | median fork | "
             "median fast fork | median slow fork |", "| --- | --- | --- | ---: | ---: | ---: |"]
    for r in results:
        metric = r["primaryMetric"]
        values = fork_values(metric)
        if len(values) < 2:
            continue
        timed = "rawDataHistogram" in metric
        unit = "" if timed else " " + metric["scoreUnit"]

        def show(value):
            return (fmt_time if timed else fmt_rate)(value)

        states = fork_states(r)
        shown = ", ".join(show(v) + (" " + s[0] if s else "") + (" (steal %.0f ms)" % t if t else "")
                          for v, s, t in zip(values, states, per_fork(r, "steal")))
        by_state = [[v for v, s in zip(values, states) if s == state] for state in ("fast", "slow")]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1], params_of(r), shown,
            show(median(values)) + unit, *(show(median(v)) + unit if v else "-" for v in by_state)))
    return "\n".join(lines) + "\n" if len(lines) > 2 else ""


def histogram_percentiles(counts, quantiles, unit):
    """The given quantiles (0..1, ascending) of a histogram of (value, count) pairs, in ns."""
    counts = sorted(counts)
    total, seen, found = sum(count for _, count in counts), 0, []
    for value, count in counts:
        seen += count
        while len(found) < len(quantiles) and seen >= quantiles[len(found)] * total:
            found.append(to_ns(value, unit))
    return found


def iteration_values(metric):
    """One (p50, p99) per iteration of every fork, in ns, for a SampleTime result; [] for other modes."""
    return [tuple(histogram_percentiles(iteration, (0.5, 0.99), metric["scoreUnit"]))
            for fork in metric.get("rawDataHistogram", []) for iteration in fork if iteration]


def fast_iterations(values):
    """Of the (p50, p99) of a SampleTime result's iterations, those that ran in the machine's fast state, told by
    their own p50: within FAST_ITERATION_WITHIN of the lowest (the two states lie 2-3x apart)."""
    best = min((p50 for p50, _ in values), default=0)
    return [v for v in values if v[0] <= FAST_ITERATION_WITHIN * best]


def iteration_table(results):
    """Markdown: each SampleTime result's iterations in the fast state, their median p50 and p99, and the 32 B round
    trip's issue-3 ratios between those medians."""
    lines = ["| benchmark | params | fast iterations / all | median p50 of the fast | median p99 of the fast |",
             "| --- | --- | ---: | ---: | ---: |"]
    fast_medians = {}
    for r in results:
        values = iteration_values(r["primaryMetric"])
        fast = fast_iterations(values)
        if len(values) < 2 or not fast:
            continue
        p50, p99 = median([v[0] for v in fast]), median([v[1] for v in fast])
        params = r.get("params", {})
        if r["benchmark"] == ROUND_TRIP and int(params.get("size", 0)) == 32:
            fast_medians[params.get("transport")] = (p50, p99)
        lines.append("| %s | %s | %d / %d | %s | %s |" % (
            r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1], params_of(r), len(fast),
            len(values), fmt_time(p50), fmt_time(p99)))
    if len(lines) == 2:
        return ""
    for other, target in (("raw", "≤ 1.15 at p50, ≤ 1.5 at p99"), ("aeron", "< 1 at both")):
        if "ringport" in fast_medians and other in fast_medians:
            (a50, a99), (b50, b99) = fast_medians["ringport"], fast_medians[other]
            lines.append("| ringport / %s, 32 B (target %s) | | | %s | %s |" % (
                other, target, ratio(a50, b50), ratio(a99, b99)))
    return "\n".join(lines) + "\n"


def params_of(result):
    return ", ".join("%s=%s" % kv for kv in sorted(result.get("params", {}).items())) or "-"


def headline_table(runs):
    lines = ["| ratio | target | " + " | ".join(name for name, _ in runs) + " |",
             "| --- | --- | " + " | ".join("---:" for _ in runs) + " |"]
    rows = [headlines(results) for _, results in runs]
    for i, (label, _, target) in enumerate(rows[0]):
        cells = ["%.2f" % row[i][1] if row[i][1] is not None else "n/a" for row in rows]
        lines.append("| %s | %s | %s |" % (label, target, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: chart.py RESULT.json [OTHER_RESULT.json ...] OUTPUT_DIR\n")
        return 2
    runs = [(os.path.basename(path), load(path)) for path in argv[1:-1]]
    out_dir = argv[-1]
    os.makedirs(out_dir, exist_ok=True)
    source, results = runs[0]
    for path in charts(results, out_dir, source):
        sys.stderr.write("wrote %s\n" % path)
    print(tables(results))
    print("#### Issue-3 ratios, per run\n")
    print(headline_table(runs))
    iterations = iteration_table(results)
    if iterations:
        print("#### Per iteration in the fast state, %s\n" % source)
        print(iterations)
    forks = fork_table(results)
    if forks:
        print("#### Per fork, %s\n" % source)
        print(forks)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
