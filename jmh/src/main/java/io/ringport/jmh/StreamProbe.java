package io.ringport.jmh;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a one-way stream of 64-byte messages through a 1 MiB ring of 128-byte records costs, by the way the ring
 * publishes records and gives room back: two threads over a mapped file, the ways taken in turn for many rounds so
 * that each meets the same hours of a noisy machine. Not a JMH benchmark (it compares ways of using memory, not
 * transports); the probe behind the layouts that were tried after runs 13 and 16 and not kept ({@code
 * docs/benchmarks.md}, "Tried since run 6"): for both the probe and the suite's rounds disagreed, and the suite
 * decided.
 * <ul>
 *     <li>{@code header, consumer zeroes}: ring layouts 3 and 4. A record publishes itself with its header word; the
 *     consumer polls the header at its head and zeroes what it read (when it finds nothing, or every quarter ring),
 *     so every line is written by both threads once a lap.</li>
 *     <li>{@code tail, nothing zeroed}: layout 2's way. The producer stores its tail after each record; the consumer
 *     reads the tail once a pass and the records up to it; nobody but the producer writes a record's lines.</li>
 *     <li>{@code header, producer zeroes}: records publish themselves, and the producer keeps the first word of every
 *     line zero {@link #ZERO_AHEAD} bytes ahead of its tail (records start lines, so that is every place a header
 *     can land); the consumer only publishes its head.</li>
 *     <li>{@code packed, zeroes lines behind}: as the first, but records of 88 bytes one after the other instead of a
 *     line each, and the consumer zeroes only whole lines behind the line of its head, so that it never stores into
 *     a line the producer may be writing (tried after run 16 with 16-byte records in the suite, not kept).</li>
 * </ul>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp jmh/target/benchmarks.jar
 * io.ringport.jmh.StreamProbe [rounds]}; prints, per way, the lowest, 25th, 50th and 75th percentile and the highest
 * over the rounds of each round's messages per second.
 */
public final class StreamProbe
{
    private static final int CAPACITY = 1024 * 1024;
    private static final int MASK = CAPACITY - 1;
    private static final int RECORD = 128;
    private static final int PAYLOAD = 64;
    private static final int MESSAGES = 4_000_000;
    /** Ring, then the producer's line (tail), then the consumer's line (head and clean position). */
    private static final int TAIL = CAPACITY;
    private static final int HEAD = CAPACITY + 128;
    private static final int CLEAN = CAPACITY + 136;
    private static final int FILE_LENGTH = CAPACITY + 4096;

    /** Every record's header word: type 1, the length of the header, the word after it and the payload. */
    private static final long HEADER = (1L << 32) | (24 + PAYLOAD);
    /** How far ahead of its tail the producer keeps the first word of every line zero, in the third way. */
    private static final int ZERO_AHEAD = 4096;

    /** A record of the fourth way: the header's 24 bytes and the payload, 8-byte aligned, not a line each. */
    private static final int PACKED_RECORD = 24 + PAYLOAD;

    private static final String[] WAYS =
        {"header, consumer zeroes", "tail, nothing zeroed", "header, producer zeroes", "packed, zeroes lines behind"};

    private final UnsafeBuffer ring;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
    private long sink;
    private volatile boolean failed;

    private StreamProbe(final UnsafeBuffer ring)
    {
        this.ring = ring;
    }

    /**
     * Entry point.
     *
     * @param args the number of rounds, default 30.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int rounds = Math.max(1, args.length > 0 ? Integer.parseInt(args[0]) : 30);
        try (ScratchFile file = new ScratchFile("probe-", "stream", FILE_LENGTH))
        {
            new StreamProbe(file.buffer()).run(rounds);
        }
    }

    private void run(final int rounds) throws InterruptedException
    {
        final List<List<Double>> results = new ArrayList<>();
        for (int way = 0; way < WAYS.length; way++)
        {
            results.add(new ArrayList<>());
        }
        for (int round = -2; round < rounds; round++)
        {
            for (int way = 0; way < WAYS.length; way++)
            {
                final double rate = stream(way);
                if (round >= 0)
                {
                    results.get(way).add(rate);
                }
            }
        }
        for (int way = 0; way < WAYS.length; way++)
        {
            final List<Double> r = results.get(way);
            Collections.sort(r);
            System.out.printf("%-26s M msg/s: min %.1f  p25 %.1f  p50 %.1f  p75 %.1f  max %.1f%n", WAYS[way],
                r.get(0) / 1e6, at(r, 0.25) / 1e6, at(r, 0.5) / 1e6, at(r, 0.75) / 1e6, r.get(r.size() - 1) / 1e6);
        }
        System.out.println("(sink " + sink + ")");
    }

    private static double at(final List<Double> sorted, final double fraction)
    {
        return sorted.get((int)Math.round(fraction * (sorted.size() - 1)));
    }

    private double stream(final int way) throws InterruptedException
    {
        ring.setMemory(0, FILE_LENGTH, (byte)0);
        final Runnable consume = 1 == way ? this::consumeTail : () -> consumeHeaders(2 != way, 3 == way);
        final Thread consumer = new Thread(consume, "probe-consumer");
        // A consumer that fails stops the producer's waits instead of leaving it spinning, and the JVM can end.
        consumer.setDaemon(true);
        consumer.setUncaughtExceptionHandler((thread, failure) ->
        {
            failed = true;
            failure.printStackTrace();
        });
        consumer.start();
        final long start = System.nanoTime();
        if (0 == way)
        {
            produceHeaders();
        }
        else if (1 == way)
        {
            produceTail();
        }
        else if (2 == way)
        {
            produceZeroingAhead();
        }
        else
        {
            producePacked();
        }
        consumer.join();
        if (failed)
        {
            throw new IllegalStateException("the consumer failed");
        }
        return MESSAGES * 1e9 / (System.nanoTime() - start);
    }

    private void produceHeaders()
    {
        final UnsafeBuffer ring = this.ring;
        long cleanCache = 0;
        for (long tail = 0, n = 1; n <= MESSAGES; n++, tail += RECORD)
        {
            cleanCache = awaitRoom(tail + RECORD, cleanCache, CLEAN);
            final int index = writeBody(tail, n);
            ring.putLongRelease(index, HEADER);
        }
    }

    /** Spin until a ring past the consumer's position at {@code positionIndex} reaches {@code end}. */
    private long awaitRoom(final long end, final long cached, final int positionIndex)
    {
        long position = cached;
        while (end - position > CAPACITY)
        {
            if (failed)
            {
                throw new IllegalStateException("the consumer failed");
            }
            position = ring.getLongVolatile(positionIndex);
            Thread.onSpinWait();
        }
        return position;
    }

    /** Write all of record {@code n} but its header; return its index. */
    private int writeBody(final long tail, final long n)
    {
        final int index = (int)tail & MASK;
        payload.putLong(0, n);
        ring.putBytes(index + 24, payload, 0, PAYLOAD);
        ring.putLong(index + 8, 0);
        return index;
    }

    /**
     * Poll the header at the head; give the room of what was read back when nothing more is there, or every quarter
     * ring: by zeroing it and publishing the clean position, or (the third way) by publishing the head alone. Packed
     * records (the fourth way) are zeroed only up to the line of the head, which the producer may be writing.
     */
    private void consumeHeaders(final boolean zeroes, final boolean packed)
    {
        final int record = packed ? PACKED_RECORD : RECORD;
        final long lineMask = packed ? -64L : -1L;
        final UnsafeBuffer ring = this.ring;
        long head = 0;
        long freed = 0;
        long sum = 0;
        for (long n = 0; n < MESSAGES; )
        {
            final int index = (int)head & MASK;
            final long header = ring.getLongVolatile(index);
            if (0 == header)
            {
                if ((head & lineMask) != freed)
                {
                    freed = free(freed, head & lineMask, zeroes);
                }
                Thread.onSpinWait();
                continue;
            }
            if (2 == (int)(header >>> 32))
            {
                // The packed way's padding to the end of the ring.
                head += (int)header;
                continue;
            }
            sum += ring.getLong(index + 24);
            head += record;
            n++;
            if (head - freed >= CAPACITY / 4)
            {
                freed = free(freed, head & lineMask, zeroes);
            }
        }
        sink += sum;
    }

    private long free(final long from, final long head, final boolean zeroes)
    {
        if (zeroes)
        {
            // By 8-byte stores, as RingDescriptor.zero does below a kilobyte: a memset call per record costs more.
            for (long at = from; at < head; at += Long.BYTES)
            {
                ring.putLong((int)at & MASK, 0L);
            }
            ring.putLongRelease(CLEAN, head);
        }
        else
        {
            ring.putLongRelease(HEAD, head);
        }
        return head;
    }

    private void produceTail()
    {
        final UnsafeBuffer ring = this.ring;
        long headCache = 0;
        for (long tail = 0, n = 1; n <= MESSAGES; n++)
        {
            headCache = awaitRoom(tail + RECORD, headCache, HEAD);
            final int index = writeBody(tail, n);
            ring.putLong(index, HEADER);
            tail += RECORD;
            ring.putLongRelease(TAIL, tail);
        }
    }

    private void consumeTail()
    {
        final UnsafeBuffer ring = this.ring;
        long head = 0;
        long sum = 0;
        for (long n = 0; n < MESSAGES; )
        {
            final long tail = ring.getLongVolatile(TAIL);
            if (tail == head)
            {
                Thread.onSpinWait();
                continue;
            }
            while (head != tail)
            {
                final int index = (int)head & MASK;
                if (0 == ring.getLong(index))
                {
                    throw new IllegalStateException("no header at " + head);
                }
                sum += ring.getLong(index + 24);
                head += RECORD;
                n++;
            }
            ring.putLongRelease(HEAD, head);
        }
        sink += sum;
    }

    /**
     * The third way: before a record is published, the first word of the line after it is zero, and the producer
     * keeps the lines' first words zero {@link #ZERO_AHEAD} bytes ahead of its tail, up to where the consumer has
     * read a lap ago; records start lines, so that is every place a header can land.
     */
    private void produceZeroingAhead()
    {
        final UnsafeBuffer ring = this.ring;
        long headCache = 0;
        long zeroedTo = CAPACITY;
        for (long tail = 0, n = 1; n <= MESSAGES; n++)
        {
            final long next = tail + RECORD;
            // The record's bytes and the header place after it must be ones the consumer has finished with.
            headCache = awaitRoom(next + Long.BYTES, headCache, HEAD);
            if (zeroedTo <= next)
            {
                ring.putLong((int)next & MASK, 0);
                zeroedTo = next + 64;
            }
            final int index = writeBody(tail, n);
            ring.putLongRelease(index, HEADER);
            tail = next;
            final long limit = Math.min(tail + ZERO_AHEAD, headCache + CAPACITY);
            for (; zeroedTo < limit; zeroedTo += 64)
            {
                ring.putLong((int)zeroedTo & MASK, 0);
            }
        }
    }

    /** The fourth way: records packed at 8 bytes, published by their header, as the first way. */
    private void producePacked()
    {
        final UnsafeBuffer ring = this.ring;
        long cleanCache = 0;
        for (long tail = 0, n = 1; n <= MESSAGES; n++)
        {
            int index = (int)tail & MASK;
            long next = tail + PACKED_RECORD;
            if (CAPACITY - index < PACKED_RECORD)
            {
                // Padding to the end of the ring, published at once (its header: type 0 here, length to the end).
                cleanCache = awaitRoom(tail + (CAPACITY - index) + PACKED_RECORD, cleanCache, CLEAN);
                ring.putLongRelease(index, (2L << 32) | (CAPACITY - index));
                tail += CAPACITY - index;
                index = 0;
                next = tail + PACKED_RECORD;
            }
            cleanCache = awaitRoom(next, cleanCache, CLEAN);
            writeBody(tail, n);
            ring.putLongRelease(index, HEADER);
            tail = next;
        }
    }
}
