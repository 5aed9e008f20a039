package io.ringport.jmh;

import org.agrona.BitUtil;

/**
 * Layout of the raw ping-pong file: a ping region and a pong region, each a sequence flag followed by the payload
 * in the same cache line (for small messages), or, for the two-line variant, on the line after the flag's (as a
 * ring's record is on another line than its tail position); regions page aligned so they never share a line.
 * <pre>
 *   ping region: flag (8 bytes) | payload (size bytes)     at 0
 *   pong region: flag (8 bytes) | payload (size bytes)     at regionLength(size)
 *   two lines:   flag (8 bytes) | 56 unused bytes | payload (size bytes)
 * </pre>
 */
public final class RawLayout
{
    /** Offset of the sequence flag in a region. */
    public static final int FLAG_OFFSET = 0;
    /** Offset of the payload in a region, beside the flag. */
    public static final int DATA_OFFSET = 8;
    /** Offset of the payload in a region of the two-line variant: the line after the flag's. */
    public static final int APART_DATA_OFFSET = BitUtil.CACHE_LINE_LENGTH;

    private static final int PAGE = 4096;

    private RawLayout()
    {
    }

    /**
     * Length of one region.
     *
     * @param size payload length.
     * @return bytes, page aligned.
     */
    public static int regionLength(final int size)
    {
        return BitUtil.align(APART_DATA_OFFSET + size, PAGE);
    }

    /**
     * Offset of the payload in a region.
     *
     * @param apart true for the two-line variant.
     * @return {@link #DATA_OFFSET} or {@link #APART_DATA_OFFSET}.
     */
    public static int dataOffset(final boolean apart)
    {
        return apart ? APART_DATA_OFFSET : DATA_OFFSET;
    }

    /**
     * Offset of the ping region.
     *
     * @return 0.
     */
    public static int pingOffset()
    {
        return 0;
    }

    /**
     * Offset of the pong region.
     *
     * @param size payload length.
     * @return bytes from the start of the file.
     */
    public static int pongOffset(final int size)
    {
        return regionLength(size);
    }

    /**
     * Length of the file.
     *
     * @param size payload length.
     * @return two regions.
     */
    public static int fileLength(final int size)
    {
        return 2 * regionLength(size);
    }
}
