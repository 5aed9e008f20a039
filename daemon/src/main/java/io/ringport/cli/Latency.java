package io.ringport.cli;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * Round-trip samples and how the command line prints them: percentiles in text or in JSON.
 */
final class Latency
{
    /** A round trip that can fail: returns its time in nanoseconds, or -1 when the reply was lost. */
    @FunctionalInterface
    interface RoundTrip
    {
        long run() throws Exception;
    }

    final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    long lost;

    static Latency measure(final int warmup, final int count, final RoundTrip roundTrip) throws Exception
    {
        for (int i = 0; i < warmup; i++)
        {
            roundTrip.run();
        }
        final Latency latency = new Latency();
        for (int i = 0; i < count; i++)
        {
            final long ns = roundTrip.run();
            if (ns < 0)
            {
                latency.lost++;
            }
            else
            {
                latency.histogram.recordValue(ns);
            }
        }
        return latency;
    }

    long p(final double percentile)
    {
        return histogram.getValueAtPercentile(percentile);
    }

    String json()
    {
        return String.format(Locale.ROOT, "{\"p50\":%d,\"p90\":%d,\"p99\":%d,\"p99_9\":%d,\"max\":%d}",
            p(50), p(90), p(99), p(99.9), histogram.getMaxValue());
    }

    String row(final String label)
    {
        return String.format(Locale.ROOT, "  %-14s %10s %10s %10s %10s %10s", label, micros(p(50)), micros(p(90)),
            micros(p(99)), micros(p(99.9)), micros(histogram.getMaxValue()));
    }

    static String header()
    {
        return String.format(Locale.ROOT, "  %-14s %10s %10s %10s %10s %10s", "", "p50", "p90", "p99", "p99.9", "max");
    }

    static String micros(final long ns)
    {
        return ns < 10_000_000 ? String.format(Locale.ROOT, "%.2f us", ns / 1_000.0) :
            String.format(Locale.ROOT, "%.1f ms", ns / 1_000_000.0);
    }
}
