package io.ringport.jmh;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Tags each fork with the state the shared machine was in: the p50 of a one-line ping-pong between two threads of
 * the fork's JVM, taken before its first iteration (before the trial's setup starts a partner) and after its last
 * (after the teardown stopped it), so that no third thread spins while it runs. On this 2-vCPU VM that p50 is
 * either about 100 ns or about 500 ns, as the host places the two vCPUs ({@code docs/benchmarks.md}, What limits
 * item 4), and a transport's figures only compare with another's taken in the same state. It tells the state at the
 * fork's two ends only: the state can flip in between (in a third of run 16's forks), and a fork's own figures are
 * then the better witness of its mode. Use it with
 * {@code -prof io.ringport.jmh.MachineStateProfiler}; it adds the secondary results {@code ping.before} and
 * {@code ping.after} (ns), and {@code steal} (ms: the time the host ran something else on this guest's vCPUs, summed
 * over them, from before the first probe to after the last, by {@code /proc/stat}), to the last measurement
 * iteration, which {@code jmh/chart.py} reads per fork (their
 * {@code rawData}; a score over several forks is the slowest fork's). Its {@link #main}
 * probes once from the command line.
 */
public final class MachineStateProfiler implements InternalProfiler
{
    /** Round trips a probe takes, unless its time runs out first. */
    static final int ROUND_TRIPS = 200_000;
    /** The longest a probe runs: a slow state's 200 000 round trips take about 0.1 s. */
    static final long PROBE_LIMIT_NS = 2_000_000_000L;
    /** Above this p50 a probe found the slow state: halfway, on a log scale, between the two states seen. */
    public static final double SLOW_ABOVE_NS = 250;

    /** The two words, 128 bytes apart in a long array so that they never share a line or its neighbour. */
    private static final int PING = 16;
    private static final int PONG = 32;
    private static final int WORDS = 48;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    /** Milliseconds a {@code /proc/stat} tick is: the kernel's USER_HZ, 100 on every Linux this runs on. */
    private static final double MS_PER_TICK = 10.0;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private boolean probedBefore;
    private double beforeNs;
    private long stealBefore;
    private int measured;

    /**
     * Probe the machine once, outside JMH: prints the p50 and the state it says, as a round script does between
     * forks.
     *
     * @param args none.
     */
    public static void main(final String[] args)
    {
        final double p50 = pingPongP50Ns();
        System.out.printf("ping p50 %.0f ns: %s%n", p50, p50 > SLOW_ABOVE_NS ? "slow" : "fast");
    }

    @Override
    public String getDescription()
    {
        return "the p50 of a two-thread one-line ping-pong before and after each fork (the machine's state)";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        if (!probedBefore)
        {
            probedBefore = true;
            stealBefore = stealTicks();
            beforeNs = pingPongP50Ns();
        }
    }

    @Override
    public Collection<? extends Result> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        if (IterationType.MEASUREMENT != iterationParams.getType() || ++measured < iterationParams.getCount())
        {
            return List.of();
        }
        final double afterNs = pingPongP50Ns();
        final long steal = stealTicks() - stealBefore;
        probedBefore = false;
        measured = 0;
        // JMH gives the other iterations a zero of each result; the largest is the one probe's figure
        return List.of(
            new ScalarResult("ping.before", beforeNs, "ns", AggregationPolicy.MAX),
            new ScalarResult("ping.after", afterNs, "ns", AggregationPolicy.MAX),
            new ScalarResult("steal", stealBefore < 0 ? Double.NaN : steal * MS_PER_TICK, "ms", AggregationPolicy.MAX));
    }

    /**
     * The p50 of a ping-pong over two cache lines between this thread and a new one (a heap array, so that the
     * probe needs no JVM flags).
     *
     * @return nanoseconds a round trip, as timed one by one, or NaN if the other thread never answered.
     */
    static double pingPongP50Ns()
    {
        final long[] lines = new long[WORDS];
        final long[] samples = new long[ROUND_TRIPS];
        final Thread echo = new Thread(() -> echo(lines), "ringport-ping-echo");
        echo.setDaemon(true);
        echo.start();
        final long limit = System.nanoTime() + PROBE_LIMIT_NS;
        int taken = 0;
        long sequence = 0;
        probe:
        while (taken < ROUND_TRIPS)
        {
            final long start = System.nanoTime();
            WORD.setRelease(lines, PING, ++sequence);
            while ((long)WORD.getAcquire(lines, PONG) != sequence)
            {
                // A machine so busy that the round trips take microseconds still gets the p50 of those it took.
                if (!echo.isAlive() || System.nanoTime() > limit)
                {
                    break probe;
                }
                Thread.onSpinWait();
            }
            samples[taken++] = System.nanoTime() - start;
            if ((taken & 0x3FF) == 0 && System.nanoTime() > limit)
            {
                break;
            }
        }
        WORD.setRelease(lines, PING, -1L);
        if (0 == taken)
        {
            return Double.NaN;
        }
        Arrays.sort(samples, 0, taken);
        return samples[taken / 2];
    }

    /** The steal column of the machine's line of {@code /proc/stat}, in ticks; -1 where there is none. */
    private static long stealTicks()
    {
        try
        {
            final String[] fields = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            return "cpu".equals(fields[0]) && fields.length > 8 ? Long.parseLong(fields[8]) : -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    private static void echo(final long[] lines)
    {
        long seen = 0;
        while (true)
        {
            final long ping = (long)WORD.getAcquire(lines, PING);
            if (ping < 0)
            {
                return;
            }
            if (ping != seen)
            {
                seen = ping;
                WORD.setRelease(lines, PONG, ping);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
