package io.ringport.jmh;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What it costs a round trip when each message lands in a new line, as in a ring, instead of the same line each
 * way, as in the raw ping-pong: two threads over a mapped file, 32-byte messages whose first word is the round
 * trip's number, the variants taken in turn for many rounds so that every one meets the same hours of a noisy
 * machine. Not a JMH benchmark (it compares layouts of memory, not transports); the figures behind the mailbox of
 * ring layout 4 ({@code docs/architecture.md}, "The mailbox").
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp jmh/target/benchmarks.jar
 * io.ringport.jmh.LineWalkProbe [rounds]}; prints, per variant, the lowest, 10th, 25th and 50th percentile over the
 * rounds of each round's median batch mean.
 */
public final class LineWalkProbe
{
    private static final int SIZE = 32;
    private static final int PAGE = 4096;

    /** Where each round trip's message goes: slot {@code n % slots}, {@code stride} bytes apart. */
    private record Variant(String name, int slots, int stride, int touchAhead)
    {
    }

    private static final Variant[] VARIANTS = {
        new Variant("one line each way (the raw ping-pong)", 1, 64, 0),
        new Variant("walking 1 MiB, adjacent lines (a ring)", 16384, 64, 0),
        new Variant("walking 1 MiB, lines 128 bytes apart", 8192, 128, 0),
        new Variant("walking 1 MiB, the line ahead touched", 16384, 64, 1),
        new Variant("16 adjacent lines", 16, 64, 0),
        new Variant("16 lines 128 bytes apart", 16, 128, 0),
        new Variant("2 lines 256 bytes apart (the mailbox)", 2, 256, 0),
    };

    private final UnsafeBuffer shm;
    private final int[] pingOf = new int[VARIANTS.length];
    private final int[] pongOf = new int[VARIANTS.length];
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[SIZE - Long.BYTES]);
    private volatile int variant = -1;
    private volatile boolean stop;
    /** What the loads ahead and the echoes read, kept so the JIT cannot drop them; one per thread. */
    private long clientSink;
    private long echoSink;

    private LineWalkProbe(final UnsafeBuffer shm)
    {
        this.shm = shm;
        int at = 0;
        for (int i = 0; i < VARIANTS.length; i++)
        {
            pingOf[i] = at;
            at += regionLength(VARIANTS[i]);
            pongOf[i] = at;
            at += regionLength(VARIANTS[i]);
        }
    }

    /**
     * Run the probe.
     *
     * @param args the number of rounds, 60 when none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        long length = 0;
        for (final Variant v : VARIANTS)
        {
            length += 2L * regionLength(v);
        }
        try (ScratchFile file = new ScratchFile("probe-", "lines", length))
        {
            new LineWalkProbe(file.buffer()).run(rounds);
        }
    }

    private static int regionLength(final Variant v)
    {
        return (v.slots() * v.stride() + 2 * PAGE) / PAGE * PAGE;
    }

    private void run(final int rounds) throws InterruptedException
    {
        final Thread echo = new Thread(this::echo, "probe-echo");
        echo.start();
        final List<List<Double>> results = new ArrayList<>();
        final long[] sequenceOf = new long[VARIANTS.length];
        for (int i = 0; i < VARIANTS.length; i++)
        {
            results.add(new ArrayList<>());
        }
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int v = 0; v < VARIANTS.length; v++)
                {
                    variant = v;
                    final int turn = v;
                    results.get(v).add(RoundTimer.medianBatchMean(sequence -> roundTrip(turn, sequence),
                        sequenceOf[v]));
                    sequenceOf[v] += RoundTimer.ROUND_TRIPS;
                    variant = -1;
                    // The echo thread sees the switch before the next variant's first message.
                    Thread.sleep(1);
                }
            }
        }
        finally
        {
            stop = true;
            echo.join();
        }
        for (int v = 0; v < VARIANTS.length; v++)
        {
            final List<Double> l = results.get(v);
            Collections.sort(l);
            System.out.printf("%-42s lowest %4.0f  p10 %4.0f  p25 %4.0f  p50 %4.0f ns%n", VARIANTS[v].name(),
                l.get(0), l.get(l.size() / 10), l.get(l.size() / 4), l.get(l.size() / 2));
        }
        if (clientSink == echoSink)
        {
            System.out.println();
        }
    }

    private void roundTrip(final int v, final long sequence)
    {
        final Variant variant = VARIANTS[v];
        final int offset = (int)(sequence % variant.slots()) * variant.stride();
        final int ping = pingOf[v] + offset;
        final int pong = pongOf[v] + offset;
        final UnsafeBuffer shm = this.shm;
        message.putLong(0, sequence);
        shm.putBytes(ping + Long.BYTES, message, 0, message.capacity());
        shm.putLongRelease(ping, sequence);
        if (variant.touchAhead() > 0)
        {
            clientSink += shm.getLong(pingOf[v] + (int)((sequence + variant.touchAhead()) % variant.slots()) *
                variant.stride());
        }
        while (shm.getLongVolatile(pong) != sequence)
        {
            Thread.onSpinWait();
        }
        shm.getBytes(pong + Long.BYTES, message, 0, message.capacity());
        clientSink += message.getLong(0);
    }

    private void echo()
    {
        final long[] expectedOf = new long[VARIANTS.length];
        Arrays.fill(expectedOf, 1);
        final UnsafeBuffer shm = this.shm;
        final byte[] payload = new byte[SIZE - Long.BYTES];
        while (!stop)
        {
            final int v = variant;
            if (v < 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final Variant variant = VARIANTS[v];
            final long expected = expectedOf[v];
            final int offset = (int)(expected % variant.slots()) * variant.stride();
            if (shm.getLongVolatile(pingOf[v] + offset) == expected)
            {
                shm.getBytes(pingOf[v] + offset + Long.BYTES, payload);
                shm.putBytes(pongOf[v] + offset + Long.BYTES, payload);
                shm.putLongRelease(pongOf[v] + offset, expected);
                if (variant.touchAhead() > 0)
                {
                    echoSink += shm.getLong(pongOf[v] + (int)((expected + variant.touchAhead()) % variant.slots()) *
                        variant.stride());
                }
                expectedOf[v] = expected + 1;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
