package io.ringport.core.ring;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Layout of a ring region (the part of a ring file after its header page): {@code capacity} bytes of records, then
 * a trailer with the producer's tail position and count of records sent on a pair of cache lines of its own, the
 * consumer's head and clean positions and count of records taken on another, and the two mailbox lines on two more.
 * <p>
 * A record is a 16-byte header and its payload, padded to {@link #ALIGNMENT}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Record Length (header included)               |
 *  +---------------------------------------------------------------+
 *  |                  Type (PADDING_TYPE_ID or > 0)                |
 *  +---------------------------------------------------------------+
 *  |          Acknowledgement (records taken off the reverse       |
 *  |           ring by the producer's reader; 0 without one)       |
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * A record publishes itself: the producer writes the payload; its commit stores the producer's count of records
 * sent and the acknowledgement, then the length and type as one ordered 8-byte store ({@link #header}), then the
 * tail position. The consumer polls the header word at its
 * head; zero means nothing yet. That is sound because the consumer zeroes what it has read and publishes how far
 * the ring is clean, and the producer writes no further than a ring past that: every byte from the tail to there is
 * zero, so no old record ever shows through at a new record's place.
 * A record never wraps: when one does not fit before the end of the region, a padding record fills the rest and
 * the record starts again at index 0. Positions count bytes since the ring was created; the index of a position is
 * {@code position & (capacity - 1)}.
 * <p>
 * The mailbox is two cache lines that do not move: a producer that knows its consumer has taken every record it
 * sent (from the acknowledgements on the reverse ring of a duplex pair) may put a small record there instead of at
 * its tail, so that an exchange of small messages goes back and forth over fixed lines rather than walking through
 * the rings, which costs a cache miss more per hop. Record number {@code n} (records sent on this ring before it,
 * both ways counted) goes into line {@code n & 1}: the consumer counts a record taken as its handler starts, so when
 * it has taken every record, the handler of the one before the last, which was in the other line, has returned,
 * and the line is free while the last one is still being read in place. A line's first word, stored last, holds
 * the record's number, length and type ({@link #mailboxWord}); the consumer takes it when the number is the count
 * of records it has taken.
 * <pre>
 *   mailbox line:  number (48 bits) | length (8 bits) | type (8 bits)  at 0
 *                  acknowledgement (8 bytes)                          at {@link #MAILBOX_ACK_OFFSET}
 *                  payload (up to {@link #MAILBOX_MAX_PAYLOAD} bytes)               at {@link #MAILBOX_PAYLOAD_OFFSET}
 * </pre>
 */
public final class RingDescriptor
{
    /** Offset of the record length within a record. */
    public static final int LENGTH_OFFSET = 0;

    /** Offset of the record type within a record. */
    public static final int TYPE_OFFSET = 4;

    /** Offset of the producer's acknowledgement of the reverse ring within a record. */
    public static final int ACK_OFFSET = 8;

    /** Length of a record header; the payload follows it. */
    public static final int HEADER_LENGTH = 16;

    /**
     * Records start at multiples of this, a cache line: a record of up to a line arrives in one line transfer, and
     * the lines the consumer zeroes behind its head never hold any of the record the producer writes next.
     */
    public static final int ALIGNMENT = BitUtil.CACHE_LINE_LENGTH;

    /** Type of a record that fills the region's end and carries nothing. */
    public static final int PADDING_TYPE_ID = -1;

    /**
     * Offset in the trailer of the producer's tail position: everything before it is published. Nothing on the data
     * path reads it; a writer that takes a ring over starts from it.
     */
    public static final int TAIL_POSITION_OFFSET = BitUtil.CACHE_LINE_LENGTH * 2;

    /**
     * Offset in the trailer of the producer's count of records published, ring and mailbox, on the tail's line: a
     * writer made over a ring that was written before numbers its mailbox records on from it.
     */
    public static final int SENT_COUNT_OFFSET = TAIL_POSITION_OFFSET + Long.BYTES;

    /** Offset in the trailer of the consumer's head position: everything before it has been read. */
    public static final int HEAD_POSITION_OFFSET = BitUtil.CACHE_LINE_LENGTH * 6;

    /**
     * Offset in the trailer of the consumer's clean position, on the head's line: everything before it has been read
     * and zeroed, so the producer may write up to a ring ahead of it.
     */
    public static final int CLEAN_POSITION_OFFSET = HEAD_POSITION_OFFSET + Long.BYTES;

    /**
     * Offset in the trailer of the consumer's count of records taken, ring and mailbox, on the head's line: a reader
     * made over a ring that was read before expects the mailbox record numbered from it.
     */
    public static final int TAKEN_COUNT_OFFSET = CLEAN_POSITION_OFFSET + Long.BYTES;

    /** Offset in the trailer of the first mailbox line, on a pair of lines of its own. */
    public static final int MAILBOX_OFFSET = BitUtil.CACHE_LINE_LENGTH * 10;

    /** Distance from the first mailbox line to the second, on a pair of its own two pairs further. */
    public static final int MAILBOX_LINE_DISTANCE = BitUtil.CACHE_LINE_LENGTH * 4;

    /** Offset in the mailbox of the producer's acknowledgement of the reverse ring. */
    public static final int MAILBOX_ACK_OFFSET = 8;

    /** Offset in the mailbox of the payload. */
    public static final int MAILBOX_PAYLOAD_OFFSET = 16;

    /** Longest payload the mailbox takes: the rest of its line. */
    public static final int MAILBOX_MAX_PAYLOAD = BitUtil.CACHE_LINE_LENGTH - MAILBOX_PAYLOAD_OFFSET;

    /** Largest record type the mailbox takes. */
    public static final int MAILBOX_MAX_TYPE = 0xFF;

    /** Mask of the sequence number in the mailbox word. */
    public static final long MAILBOX_SEQUENCE_MASK = (1L << 48) - 1;

    /** Length of the trailer after the records. */
    public static final int TRAILER_LENGTH = BitUtil.CACHE_LINE_LENGTH * 16;

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
     * Could a consumer have left these positions: both on record boundaries, the clean position not negative and
     * not ahead of the head, the head at most a ring ahead of it?
     *
     * @param head     the consumer's head position.
     * @param clean    its clean position.
     * @param capacity of the ring.
     * @return false for positions a reader refuses.
     */
    public static boolean isConsumerPair(final long head, final long clean, final int capacity)
    {
        return clean >= 0 && head - clean >= 0 && head - clean <= capacity && 0 == ((head | clean) & (ALIGNMENT - 1));
    }

    /**
     * Is a header word one a producer may publish at an index: a length of at least the header that fits before the
     * end of the region, and padding or a type above 0 with a payload of at most {@link #maxRecordPayload}?
     *
     * @param header   the header word, as {@link #header} makes it.
     * @param index    where it is.
     * @param capacity of the ring.
     * @return false for a word no producer writes there (0 included).
     */
    public static boolean isRecordHeader(final long header, final int index, final int capacity)
    {
        final int recordLength = (int)header;
        final int typeId = (int)(header >> 32);
        return recordLength >= HEADER_LENGTH && recordLength <= capacity - index &&
            (PADDING_TYPE_ID == typeId || (typeId > 0 && recordLength <= HEADER_LENGTH + maxRecordPayload(capacity)));
    }

    /**
     * Zero the bytes of a range of positions of a ring, split where it wraps.
     *
     * @param ring     the ring region.
     * @param capacity of the ring.
     * @param from     the first position.
     * @param to       the position after the last; nothing when not after {@code from}.
     */
    static void zero(final AtomicBuffer ring, final int capacity, final long from, final long to)
    {
        if (to - from <= 0)
        {
            return;
        }
        final int index = (int)from & (capacity - 1);
        final int length = (int)(to - from);
        final int toEnd = capacity - index;
        zero(ring, index, Math.min(length, toEnd));
        if (length > toEnd)
        {
            zero(ring, 0, length - toEnd);
        }
    }

    /** A short range by 8-byte stores, which beat the memset call below a kilobyte; a long one by the memset. */
    private static void zero(final AtomicBuffer ring, final int index, final int length)
    {
        if (length > 1024)
        {
            ring.setMemory(index, length, (byte)0);
            return;
        }
        for (int i = index, end = index + length; i < end; i += Long.BYTES)
        {
            ring.putLong(i, 0L);
        }
    }

    /**
     * A record header as the one word that publishes it: the length at {@link #LENGTH_OFFSET} and the type at
     * {@link #TYPE_OFFSET} of a little-endian long.
     *
     * @param typeId       of the record.
     * @param recordLength of the record, header included.
     * @return the header word, never 0.
     */
    public static long header(final int typeId, final int recordLength)
    {
        return ((long)typeId << 32) | (recordLength & 0xFFFF_FFFFL);
    }

    /**
     * The mailbox word that publishes a record there.
     *
     * @param sequence the record's number: how many records were sent on the ring before it (kept to 48 bits).
     * @param typeId   of the record, 1..{@link #MAILBOX_MAX_TYPE}.
     * @param length   of the payload, 0..{@link #MAILBOX_MAX_PAYLOAD}.
     * @return the word, never 0.
     */
    public static long mailboxWord(final long sequence, final int typeId, final int length)
    {
        return ((sequence & MAILBOX_SEQUENCE_MASK) << 16) | ((long)length << 8) | typeId;
    }

    /**
     * Offset in the trailer of the mailbox line of a record.
     *
     * @param number of the record: records sent on the ring before it.
     * @return {@link #MAILBOX_OFFSET}, or the second line for an odd number.
     */
    public static int mailboxLineOffset(final long number)
    {
        return MAILBOX_OFFSET + ((int)number & 1) * MAILBOX_LINE_DISTANCE;
    }

    /**
     * How far a mailbox word's record number is ahead of a count of records, in the 48 bits the word keeps: 0 for the
     * record a consumer that has taken {@code count} records takes next, below 0 for one already taken.
     *
     * @param word  a mailbox word, not 0.
     * @param count of records sent or taken.
     * @return the word's number minus the count, from -2^47 to 2^47 - 1.
     */
    public static long mailboxNumberAhead(final long word, final long count)
    {
        return (((word >>> 16) - count) << 16) >> 16;
    }

    /**
     * Is a mailbox word the record a consumer that has taken this many records takes next?
     *
     * @param word  the mailbox word.
     * @param taken records the consumer has taken off the ring and the mailbox.
     * @return true when its number is {@code taken} (to 48 bits); false for 0.
     */
    public static boolean isMailboxTurn(final long word, final long taken)
    {
        return 0 != word && 0 == mailboxNumberAhead(word, taken);
    }

    /**
     * The record type in a mailbox word.
     *
     * @param word as {@link #mailboxWord} makes it.
     * @return 0..{@link #MAILBOX_MAX_TYPE}.
     */
    public static int mailboxType(final long word)
    {
        return (int)word & MAILBOX_MAX_TYPE;
    }

    /**
     * The payload length in a mailbox word.
     *
     * @param word as {@link #mailboxWord} makes it.
     * @return 0..255, of which only 0..{@link #MAILBOX_MAX_PAYLOAD} is valid.
     */
    public static int mailboxLength(final long word)
    {
        return (int)(word >>> 8) & 0xFF;
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
