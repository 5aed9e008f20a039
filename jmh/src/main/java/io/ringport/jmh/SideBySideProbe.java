package io.ringport.jmh;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Round trips of several transports taken in turn every few milliseconds within one run, so that each cycle of turns
 * meets one state of the machine: the suite's forks take 10 s each, and this machine changes how fast a cache line
 * crosses between its two vCPUs every few seconds, by up to 4×, so two transports' forks seldom run in the same
 * state. Not a JMH benchmark, and no replacement for the suite: it times each round trip with
 * {@link System#nanoTime()} as JMH's {@code SampleTime} does, through one interface call for all transports.
 * <p>
 * Every transport's partner is started first; the partners of the transports not in their turn are stopped
 * (SIGSTOP), so that only the two threads of the turn's round trips spin on the two vCPUs, and continued (SIGCONT)
 * for their turn, which starts with a warm-up.
 * <p>
 * Run: {@code jmh/sidebyside.sh CYCLES SIZE OUT.csv raw ring ringport aeron}; writes a line per cycle and transport
 * (p50, p99, the mean of the middle half of the samples), which {@code jmh/sidebyside.py} sorts by the state of the
 * machine (the first transport's p50 in the cycle) and compares cycle by cycle.
 */
public final class SideBySideProbe
{
    /** Each turn's warm-up: the partner continued, its caches refilled. */
    private static final long WARM_UP_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Each transport's first turn, untimed: the JIT compiles both ends, as in the suite's warm-up iterations. */
    private static final long FIRST_WARM_UP_NS = TimeUnit.SECONDS.toNanos(3);
    /** How long a turn samples round trips, after its warm-up: a few milliseconds at small sizes. */
    private static final long TURN_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Fewest round trips a turn samples, however long they take (a 1 MiB round trip takes hundreds of µs). */
    private static final int MIN_SAMPLES = 200;
    /** Most round trips a turn samples. */
    private static final int MAX_SAMPLES = 50_000;

    private final List<Transport> transports;
    private final List<Link> links = new ArrayList<>();
    /** The processes each link started, stopped while it is not in its turn. */
    private final List<List<Long>> partners = new ArrayList<>();
    private final long[] samples = new long[MAX_SAMPLES];

    private SideBySideProbe(final List<Transport> transports)
    {
        this.transports = transports;
    }

    /**
     * Run the probe.
     *
     * @param args cycles, message size, the CSV file to write, then the transports ({@link Transport} names).
     * @throws IOException when the CSV file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 5)
        {
            System.err.println("usage: SideBySideProbe CYCLES SIZE OUT.csv TRANSPORT TRANSPORT...");
            System.exit(2);
        }
        final int cycles = Integer.parseInt(args[0]);
        final int size = Integer.parseInt(args[1]);
        final Path out = Path.of(args[2]);
        final List<Transport> transports = Arrays.stream(args, 3, args.length).map(Transport::of).toList();
        final SideBySideProbe probe = new SideBySideProbe(transports);
        // Interrupted (Ctrl-C), the links' own hooks stop the partners, which a stopped process would only do once
        // continued.
        final Thread continuePartners = new Thread(probe::continuePartners, "side-by-side-continue");
        Runtime.getRuntime().addShutdownHook(continuePartners);
        try
        {
            probe.open(size);
            final double[][][] results = probe.run(cycles);
            write(out, transports, results);
            System.out.println("side-by-side: " + cycles + " cycles of " + transports.size() + " transports in " + out +
                "; tables and chart: python3 jmh/sidebyside.py " + out + " OUT_DIR");
        }
        finally
        {
            probe.close();
        }
    }

    private void open(final int size)
    {
        for (final Transport transport : transports)
        {
            final Set<Long> before = descendants();
            links.add(transport.open(Role.ECHO, size, WaitMode.BUSY));
            final List<Long> started = new ArrayList<>(descendants());
            started.removeAll(before);
            synchronized (partners)
            {
                partners.add(started);
            }
            signal("STOP", started);
        }
    }

    /**
     * @return per cycle and transport: p50, p99 and the mean of the middle half, in nanoseconds.
     */
    private double[][][] run(final int cycles)
    {
        final int count = transports.size();
        for (int t = 0; t < count; t++)
        {
            signal("CONT", partners.get(t));
            try
            {
                warmUp(links.get(t), FIRST_WARM_UP_NS);
            }
            finally
            {
                signal("STOP", partners.get(t));
            }
        }
        final double[][][] results = new double[cycles][count][];
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            // Each transport starts a cycle in turn: none always follows the same one.
            for (int turn = 0; turn < count; turn++)
            {
                final int t = (cycle + turn) % count;
                signal("CONT", partners.get(t));
                try
                {
                    results[cycle][t] = turn(links.get(t));
                }
                finally
                {
                    signal("STOP", partners.get(t));
                }
            }
        }
        return results;
    }

    private static void warmUp(final Link link, final long ns)
    {
        final long end = System.nanoTime() + ns;
        while (System.nanoTime() - end < 0)
        {
            link.roundTrip();
        }
    }

    private double[] turn(final Link link)
    {
        warmUp(link, WARM_UP_NS);
        final long[] samples = this.samples;
        final long end = System.nanoTime() + TURN_NS;
        int n = 0;
        while (n < MAX_SAMPLES)
        {
            final long start = System.nanoTime();
            link.roundTrip();
            final long finish = System.nanoTime();
            samples[n++] = finish - start;
            if (finish - end >= 0 && n >= MIN_SAMPLES)
            {
                break;
            }
        }
        Arrays.sort(samples, 0, n);
        long middle = 0;
        for (int i = n / 4; i < n * 3 / 4; i++)
        {
            middle += samples[i];
        }
        return new double[] {samples[n / 2], samples[n * 99 / 100], middle / (double)(n * 3 / 4 - n / 4)};
    }

    private void close()
    {
        continuePartners();
        CloseHelper.quietCloseAll(links);
    }

    private void continuePartners()
    {
        synchronized (partners)
        {
            for (final List<Long> pids : partners)
            {
                signal("CONT", pids);
            }
        }
    }

    private static Set<Long> descendants()
    {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Send a signal to processes, waiting for {@code kill} to return; processes gone meanwhile are ignored. */
    private static void signal(final String name, final List<Long> pids)
    {
        if (pids.isEmpty())
        {
            return;
        }
        final List<String> command = new ArrayList<>(List.of("kill", "-" + name));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try
        {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("kill -" + name + " " + pids + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pids, ex);
        }
    }

    private static void write(final Path out, final List<Transport> transports, final double[][][] results)
        throws IOException
    {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, UTF_8)))
        {
            w.println("cycle,transport,p50_ns,p99_ns,middle_mean_ns");
            for (int cycle = 0; cycle < results.length; cycle++)
            {
                for (int t = 0; t < transports.size(); t++)
                {
                    final double[] r = results[cycle][t];
                    w.printf(Locale.ROOT, "%d,%s,%.0f,%.0f,%.1f%n", cycle, id(transports.get(t)), r[0], r[1], r[2]);
                }
            }
        }
    }

    private static String id(final Transport transport)
    {
        return transport.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
