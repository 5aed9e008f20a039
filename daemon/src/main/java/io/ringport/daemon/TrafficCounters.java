package io.ringport.daemon;

import io.ringport.core.ring.RingFile;

import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_BACK_PRESSURE_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_BYTES_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_MESSAGES_OFFSET;

/**
 * The traffic counts an endpoint keeps in the header page of the ring it produces, which the daemon adds up into the
 * service's counters: messages written, their bytes (message headers excluded), and writes that found the ring full.
 * <p>
 * Each word has one writer, the ring's producer, and sits on a cache line pair that the consumer never writes, so
 * counting costs the producer plain stores and no contention; the daemon only reads. A producer that does not count
 * leaves them 0. The offsets are {@link io.ringport.core.ring.RingFileDescriptor}'s.
 */
public final class TrafficCounters
{
    private TrafficCounters()
    {
    }

    /** Add a connection's counts to sums indexed by {@link ServiceCounter} ordinal. */
    static void addTo(final long[] sums, final RingFile c2s, final RingFile s2c)
    {
        sums[ServiceCounter.MESSAGES_IN.ordinal()] += read(c2s, PRODUCER_MESSAGES_OFFSET);
        sums[ServiceCounter.BYTES_IN.ordinal()] += read(c2s, PRODUCER_BYTES_OFFSET);
        sums[ServiceCounter.MESSAGES_OUT.ordinal()] += read(s2c, PRODUCER_MESSAGES_OFFSET);
        sums[ServiceCounter.BYTES_OUT.ordinal()] += read(s2c, PRODUCER_BYTES_OFFSET);
        sums[ServiceCounter.BACK_PRESSURE.ordinal()] += read(c2s, PRODUCER_BACK_PRESSURE_OFFSET) +
            read(s2c, PRODUCER_BACK_PRESSURE_OFFSET);
    }

    private static long read(final RingFile ring, final int offset)
    {
        // Another process writes these words: a negative value is a corrupt count, not a debt.
        return Math.max(0, ring.header().getLongVolatile(offset));
    }
}
