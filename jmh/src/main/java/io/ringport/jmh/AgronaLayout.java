package io.ringport.jmh;

import io.ringport.core.ring.RingDescriptor;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.MappedByteBuffer;

/**
 * Layout of the bare ring file: the client-to-partner ring, then the partner-to-client ring, each capacity + the
 * trailer of the ring's format (Agrona's or Ringport's), in regions page aligned and as long for both formats.
 */
public final class AgronaLayout
{
    private static final int PAGE = 4096;
    private static final int LONGER_TRAILER = Math.max(RingBufferDescriptor.TRAILER_LENGTH, RingDescriptor.TRAILER_LENGTH);

    private AgronaLayout()
    {
    }

    /**
     * Length of one ring region.
     *
     * @param capacity ring capacity, a power of two.
     * @return bytes, page aligned.
     */
    public static int regionLength(final int capacity)
    {
        return BitUtil.align(capacity + LONGER_TRAILER, PAGE);
    }

    /**
     * Length of the file.
     *
     * @param capacity ring capacity.
     * @return two regions.
     */
    public static long fileLength(final int capacity)
    {
        return 2L * regionLength(capacity);
    }

    /**
     * The client-to-partner ring.
     *
     * @param mapped   the file.
     * @param capacity ring capacity.
     * @param ringport true for a ring of Ringport's format, false for Agrona's.
     * @return a buffer over the ring and its trailer.
     */
    public static UnsafeBuffer c2s(final MappedByteBuffer mapped, final int capacity, final boolean ringport)
    {
        return new UnsafeBuffer(mapped, 0, capacity + trailerLength(ringport));
    }

    /**
     * The partner-to-client ring.
     *
     * @param mapped   the file.
     * @param capacity ring capacity.
     * @param ringport true for a ring of Ringport's format, false for Agrona's.
     * @return a buffer over the ring and its trailer.
     */
    public static UnsafeBuffer s2c(final MappedByteBuffer mapped, final int capacity, final boolean ringport)
    {
        return new UnsafeBuffer(mapped, regionLength(capacity), capacity + trailerLength(ringport));
    }

    private static int trailerLength(final boolean ringport)
    {
        return ringport ? RingDescriptor.TRAILER_LENGTH : RingBufferDescriptor.TRAILER_LENGTH;
    }
}
