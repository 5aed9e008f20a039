package io.ringport.client;

import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import io.ringport.jmh.RoundTimer;
import io.ringport.jmh.Scratch;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What Ringport's endpoints cost a round trip that crosses cores: two threads of one process, 32-byte messages (or
 * {@code -Dringport.probe.size}, up to a ring record), a raw line each way, a bare pair of Ringport rings and a pair
 * of {@link Endpoint}s over the same ring files, taken in turn for many rounds so that each meets the same moments of
 * a noisy machine. {@code LayerBenchmark} measures the same paths on one thread (instructions alone); the suite's
 * round trip adds processes, the connection's and the listener's loops. Not a JMH benchmark: variants in turn,
 * within one process, tell apart what forks cannot.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED [-Dringport.probe.size=256] -cp
 * jmh/target/benchmarks.jar io.ringport.client.LayerPingProbe [rounds]}; prints, per variant, the lowest, 10th, 25th
 * and 50th percentile over the rounds of each round's median batch mean, and the quartiles of its difference to the
 * variant before it in the same round.
 */
public final class LayerPingProbe
{
    /** Message size, {@code -Dringport.probe.size} (32 by default; at least 8, for the sequence number). */
    private static final int SIZE = Math.max(Long.BYTES, Integer.getInteger("ringport.probe.size", 32));
    /** Where the raw variant's echo line starts: after the message and its neighbour line. */
    private static final int PONG = BitUtil.align(SIZE, 2 * BitUtil.CACHE_LINE_LENGTH);
    private static final int CAPACITY = 1024 * 1024;
    private static final int TYPE = 1;
    private static final byte[] TOKEN = new byte[16];
    private static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final IdleStrategy SPIN = new BusySpinIdleStrategy();
    private static final String[] VARIANTS = {"raw line each way", "bare rings (mailbox)", "endpoints"};
    private static final int RAW = 0;
    private static final int RINGS = 1;
    private static final int ENDPOINTS = 2;
    /** Longs in two lines and a half: the middle one is alone in its line, wherever the array starts. */
    private static final int PADDED_LONGS = 40;
    private static final int ECHOED = PADDED_LONGS / 2;
    private static final int VARIANT = PADDED_LONGS;

    private final UnsafeBuffer line = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
        BitUtil.align(2 * PONG, 4096), 4096));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[SIZE]);
    private final byte[] echoPayload = new byte[SIZE - Long.BYTES];
    private final RingWriter clientOut;
    private final RingReader clientIn;
    private final RingWriter serviceOut;
    private final RingReader serviceIn;
    private final Endpoint client;
    private final Endpoint service;
    private final RecordHandler echoRecord = this::echoRecord;
    /**
     * Space between what one thread writes and what the other reads, so that no line is shared but those of the
     * rings: the two ends of the real thing are in two processes.
     */
    private final List<byte[]> gaps = new ArrayList<>();
    private final AtomicIntegerArray variant = new AtomicIntegerArray(PADDED_LONGS * 2);
    private volatile boolean stop;
    /** The client thread's: the number of the last echo it read, in a line of its own. */
    private final long[] echoed = new long[PADDED_LONGS];
    private final RecordHandler takeRecord = (typeId, buffer, offset, length) -> echoed[ECHOED] =
        buffer.getLong(offset);

    /**
     * @param files the client's c2s (created) and s2c (mapped), the service's s2c (created) and c2s (mapped), for
     *              the endpoints, then as many again for the bare rings: each reader and writer keeps its own
     *              positions.
     */
    private LayerPingProbe(final RingFile[] files)
    {
        final RingFile c2s = files[0];
        final RingFile clientRx = files[1];
        final RingFile serviceTx = files[2];
        final RingFile serviceRx = files[3];
        gap();
        client = new Endpoint(1, "client", c2s, clientRx, new Endpoint.Sink()
        {
            public void onMessage(final Message message)
            {
                echoed[ECHOED] = message.buffer().getLong(message.offset());
            }

            public void onPeerClosed(final Endpoint endpoint)
            {
            }
        });
        gap();
        service = new Endpoint(1, "service", serviceTx, serviceRx, new Endpoint.Sink()
        {
            public void onMessage(final Message message)
            {
                LayerPingProbe.this.service.send(MessageDescriptor.KIND_ONE_WAY, 0, message.buffer(),
                    message.offset(), message.length(), SEND_TIMEOUT_NS, SPIN);
            }

            public void onPeerClosed(final Endpoint endpoint)
            {
            }
        });
        // Each end of the bare rings pairs as an endpoint's does, so both go through the mailbox.
        gap();
        clientOut = new RingWriter(files[4].ring(), "c2s");
        clientIn = new RingReader(files[5].ring(), "s2c");
        clientOut.pairWith(clientIn);
        gap();
        serviceOut = new RingWriter(files[6].ring(), "s2c");
        serviceIn = new RingReader(files[7].ring(), "c2s");
        serviceOut.pairWith(serviceIn);
        gap();
        setVariant(-1);
    }

    /** Objects allocated one after the other lie side by side: keep those of the two threads apart. */
    private void gap()
    {
        gaps.add(new byte[256]);
    }

    private void setVariant(final int v)
    {
        variant.set(VARIANT, v);
    }

    private int variant()
    {
        return variant.get(VARIANT);
    }

    /**
     * Run the probe.
     *
     * @param args the number of rounds, 60 when none.
     * @throws Exception when the files cannot be made or the run is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        final List<RingFile> files = new ArrayList<>();
        try (Scratch dir = Scratch.create("layer-ping-"))
        {
            try
            {
                for (int pair = 1; pair <= 2; pair++)
                {
                    final RingFile c2s = RingFile.create(dir.dir(), RingKind.C2S, CAPACITY, CAPACITY, pair, TOKEN);
                    files.add(c2s);
                    final RingFile s2c = RingFile.create(dir.dir(), RingKind.S2C, CAPACITY, CAPACITY, pair, TOKEN);
                    files.add(RingFile.map(s2c.path(), RingKind.S2C, TOKEN));
                    files.add(s2c);
                    files.add(RingFile.map(c2s.path(), RingKind.C2S, TOKEN));
                }
                new LayerPingProbe(files.toArray(new RingFile[0])).run(rounds);
            }
            finally
            {
                CloseHelper.quietCloseAll(files);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("scratch files: " + ex.getMessage(), ex);
        }
    }

    private void run(final int rounds) throws InterruptedException
    {
        final Thread echo = new Thread(this::echo, "probe-echo");
        echo.start();
        final List<List<Double>> results = new ArrayList<>();
        for (int v = 0; v < VARIANTS.length; v++)
        {
            results.add(new ArrayList<>());
        }
        long sequence = 0;
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int v = 0; v < VARIANTS.length; v++)
                {
                    setVariant(v);
                    final int turn = v;
                    results.get(v).add(RoundTimer.medianBatchMean(n -> roundTrip(turn, n), sequence));
                    sequence += RoundTimer.ROUND_TRIPS;
                    setVariant(-1);
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
        // Each variant against the one before it in the same round, which met the same state of the machine: the
        // machine's two states move every variant, their differences much less.
        final List<List<Double>> overPrevious = new ArrayList<>();
        for (int v = 1; v < VARIANTS.length; v++)
        {
            final List<Double> d = new ArrayList<>();
            for (int round = 0; round < rounds; round++)
            {
                d.add(results.get(v).get(round) - results.get(v - 1).get(round));
            }
            overPrevious.add(d);
        }
        for (int v = 0; v < VARIANTS.length; v++)
        {
            final List<Double> l = results.get(v);
            Collections.sort(l);
            System.out.printf("%-24s lowest %4.0f  p10 %4.0f  p25 %4.0f  p50 %4.0f ns", VARIANTS[v],
                l.get(0), l.get(l.size() / 10), l.get(l.size() / 4), l.get(l.size() / 2));
            if (v > 0)
            {
                final List<Double> d = overPrevious.get(v - 1);
                Collections.sort(d);
                System.out.printf("   over the one above in its round: p25 %+4.0f  p50 %+4.0f  p75 %+4.0f ns",
                    d.get(d.size() / 4), d.get(d.size() / 2), d.get(d.size() * 3 / 4));
            }
            System.out.println();
        }
    }

    private void roundTrip(final int v, final long sequence)
    {
        payload.putLong(0, sequence);
        if (RAW == v)
        {
            line.putBytes(Long.BYTES, payload, Long.BYTES, SIZE - Long.BYTES);
            line.putLongRelease(0, sequence);
            while (line.getLongVolatile(PONG) != sequence)
            {
                Thread.onSpinWait();
            }
            return;
        }
        if (RINGS == v)
        {
            if (!clientOut.write(TYPE, payload, 0, SIZE))
            {
                throw new IllegalStateException("no room in c2s");
            }
            while (echoed[ECHOED] != sequence)
            {
                if (0 == clientIn.read(takeRecord, 16))
                {
                    Thread.onSpinWait();
                }
            }
            return;
        }
        client.send(MessageDescriptor.KIND_ONE_WAY, 0, payload, 0, SIZE, SEND_TIMEOUT_NS, SPIN);
        while (echoed[ECHOED] != sequence)
        {
            if (0 == client.poll(16))
            {
                Thread.onSpinWait();
            }
        }
    }

    private void echo()
    {
        long expected = 0;
        while (!stop)
        {
            final int v = variant();
            final int work;
            if (RAW == v)
            {
                final long word = line.getLongVolatile(0);
                if (word != expected)
                {
                    line.getBytes(Long.BYTES, echoPayload);
                    line.putBytes(PONG + Long.BYTES, echoPayload);
                    line.putLongRelease(PONG, word);
                    expected = word;
                    work = 1;
                }
                else
                {
                    work = 0;
                }
            }
            else if (RINGS == v)
            {
                work = serviceIn.read(echoRecord, 16);
            }
            else if (ENDPOINTS == v)
            {
                work = service.poll(16);
            }
            else
            {
                work = 0;
            }
            if (0 == work)
            {
                Thread.onSpinWait();
            }
        }
    }

    private void echoRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
    {
        if (!serviceOut.write(TYPE, buffer, offset, length))
        {
            throw new IllegalStateException("no room in s2c");
        }
    }
}
