package io.ringport.jmh;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.MappedByteBuffer;

/**
 * Layout of the bare Agrona ring file: the client-to-partner ring, then the partner-to-client ring, each
 * capacity + Agrona trailer, page aligned.
 */
public final class AgronaLayout
{
    private static final int PAGE = 4096;

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
        return BitUtil.align(capacity + RingBufferDescriptor.TRAILER_LENGTH, PAGE);
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
     * @return a buffer over the ring and its trailer.
     */
    public static UnsafeBuffer c2s(final MappedByteBuffer mapped, final int capacity)
    {
        return new UnsafeBuffer(mapped, 0, capacity + RingBufferDescriptor.TRAILER_LENGTH);
    }

    /**
     * The partner-to-client ring.
     *
     * @param mapped   the file.
     * @param capacity ring capacity.
     * @return a buffer over the ring and its trailer.
     */
    public static UnsafeBuffer s2c(final MappedByteBuffer mapped, final int capacity)
    {
        return new UnsafeBuffer(mapped, regionLength(capacity), capacity + RingBufferDescriptor.TRAILER_LENGTH);
    }
}
