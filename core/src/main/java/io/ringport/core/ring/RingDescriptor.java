package io.ringport.core.ring;

import org.agrona.BitUtil;

/**
 * Layout of a ring region (the part of a ring file after its header page): {@code capacity} bytes of records, then
 * a trailer with the two positions, each on its own pair of cache lines.
 * <p>
 * A record is an 8-byte header and its payload, padded to {@link #ALIGNMENT}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Record Length (header included)               |
 *  +---------------------------------------------------------------+
 *  |                  Type (PADDING_TYPE_ID or > 0)                |
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The producer publishes records by storing the tail position, after it has written them; the records between the
 * consumer's head position and the tail are readable and the producer does not touch them until the head passes
 * them. A record never wraps: when one does not fit before the end of the region, a padding record fills the rest
 * and the record starts again at index 0. Positions count bytes since the ring was created; the index of a
 * position is {@code position & (capacity - 1)}.
 */
public final class RingDescriptor
{
    /** Offset of the record length within a record. */
    public static final int LENGTH_OFFSET = 0;

    /** Offset of the record type within a record. */
    public static final int TYPE_OFFSET = 4;

    /** Length of a record header; the payload follows it. */
    public static final int HEADER_LENGTH = 8;

    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;

    /** Type of a record that fills the region's end and carries nothing. */
    public static final int PADDING_TYPE_ID = -1;

    /** Offset in the trailer of the producer's tail position: everything before it is published. */
    public static final int TAIL_POSITION_OFFSET = BitUtil.CACHE_LINE_LENGTH * 2;

    /** Offset in the trailer of the consumer's head position: everything before it has been read. */
    public static final int HEAD_POSITION_OFFSET = BitUtil.CACHE_LINE_LENGTH * 6;

    /** Length of the trailer after the records. */
    public static final int TRAILER_LENGTH = BitUtil.CACHE_LINE_LENGTH * 12;

    private RingDescriptor()
    {
    }

    /**
     * Longest payload of one record in a ring of this capacity: an eighth of it, so that one long record never holds
     * up the ring for long.
     *
     * @param capacity of the ring region.
     * @return the longest payload, in bytes.
     */
    public static int maxRecordPayload(final int capacity)
    {
        return capacity >> 3;
    }

    /**
     * The bytes a record of a payload length takes in the ring, header and alignment included.
     *
     * @param payloadLength of the record.
     * @return its aligned length.
     */
    public static int alignedRecordLength(final int payloadLength)
    {
        return BitUtil.align(HEADER_LENGTH + payloadLength, ALIGNMENT);
    }
}
