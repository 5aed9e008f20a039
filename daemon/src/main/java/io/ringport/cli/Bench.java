package io.ringport.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ringport bench [--quick] [--json]}: one run, side by side, of Ringport, a raw shared-memory ping-pong (the
 * physical limit), a Unix domain socket and TCP loopback, each with its partner in another process, and the ratios
 * between them. For the full story use the JMH suite in {@code jmh/}.
 */
final class Bench
{
    private static final int SIZE = 32;

    private final PrintStream out;
    private final boolean json;
    private final int count;

    Bench(final PrintStream out, final boolean quick, final boolean json)
    {
        this.out = out;
        this.json = json;
        this.count = quick ? 5_000 : 50_000;
    }

    int run() throws Exception
    {
        final Map<String, Latency> results = new LinkedHashMap<>();
        try (PrivateBus bus = new PrivateBus())
        {
            final Pinger pinger = new Pinger(bus.ringport.connect(PrivateBus.ECHO), SIZE);
            pinger.roundTrip(Pinger.LAUNCH_TIMEOUT_NS);
            results.put("ringport", Transports.ringport(pinger, count));
            results.put("shared_memory", Transports.sharedMemory(bus.home, count));
            results.put("unix_socket", Transports.unixSocket(bus.home, SIZE, count));
            results.put("tcp_loopback", Transports.tcp(SIZE, count));
            bus.shutdown();
        }

        final Latency ringport = results.get("ringport");
        final Latency limit = results.get("shared_memory");
        final Map<String, Double> ratios = new LinkedHashMap<>();
        ratios.put("ringport_vs_shared_memory_p50", Transports.ratio(ringport.p(50), limit.p(50)));
        ratios.put("ringport_vs_shared_memory_p99", Transports.ratio(ringport.p(99), limit.p(99)));
        ratios.put("unix_socket_vs_ringport_p50", Transports.ratio(results.get("unix_socket").p(50), ringport.p(50)));
        ratios.put("tcp_loopback_vs_ringport_p50", Transports.ratio(results.get("tcp_loopback").p(50), ringport.p(50)));

        if (json)
        {
            final StringBuilder sb = new StringBuilder("{\"size\":").append(SIZE).append(",\"count\":").append(count)
                .append(",\"rtt_ns\":{");
            results.forEach((name, latency) -> sb.append('"').append(name).append("\":").append(latency.json())
                .append(','));
            sb.setLength(sb.length() - 1);
            sb.append("},\"ratios\":{");
            ratios.forEach((name, ratio) -> sb.append('"').append(name).append("\":")
                .append(String.format(Locale.ROOT, "%.3f", ratio)).append(','));
            sb.setLength(sb.length() - 1);
            out.println(sb.append("}}"));
        }
        else
        {
            out.println("Round trip of " + SIZE + " B, " + count + " samples each after warm-up round trips, partner in " +
                "another process:");
            out.println(Latency.header());
            results.forEach((name, latency) -> out.println(latency.row(name.replace('_', ' '))));
            out.println(String.format(Locale.ROOT, "  ringport / shared memory: p50 %.2fx, p99 %.2fx",
                ratios.get("ringport_vs_shared_memory_p50"), ratios.get("ringport_vs_shared_memory_p99")));
            out.println(String.format(Locale.ROOT, "  unix socket / ringport: p50 %.0fx; tcp loopback / ringport: " +
                "p50 %.0fx", ratios.get("unix_socket_vs_ringport_p50"), ratios.get("tcp_loopback_vs_ringport_p50")));
        }
        final long lost = results.values().stream().mapToLong(l -> l.lost).sum();
        return 0 == lost ? 0 : 5;
    }
}
