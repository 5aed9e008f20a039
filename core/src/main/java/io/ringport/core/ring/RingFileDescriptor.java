package io.ringport.core.ring;

import org.agrona.BitUtil;

/**
 * Layout of a ring file: one header page followed by a ring region ({@link RingDescriptor}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Magic "RINGPORT"                      |
 *  +---------------------------------------------------------------+
 *  |                        Layout Version                         |
 *  +---------------------------------------------------------------+
 *  |                             Kind                              |
 *  +---------------------------------------------------------------+
 *  |                        Ring Capacity                          |
 *  +---------------------------------------------------------------+
 *  |                     Max Message Length                        |
 *  +---------------------------------------------------------------+
 *  |                          Owner PID                            |
 *  +---------------------------------------------------------------+
 *  |                     Creation Time (epoch ms)                  |
 *  +---------------------------------------------------------------+
 *  |                       Token (128 bits)                        |
 *  +---------------------------------------------------------------+
 *  |                        Connection Id                          |
 *  +---------------------------------------------------------------+
 *  |  ... state, waiter and traffic words on their own cache lines  |
 *  +---------------------------------------------------------------+
 *  |           ring region: capacity + trailer (RingDescriptor)     |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class RingFileDescriptor
{
    /** "RINGPORT" in ASCII, little-endian. */
    public static final long MAGIC = 0x54524F50474E4952L;

    /** Version of this layout; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 4;

    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET = 0;

    /** Offset of the layout version. */
    public static final int LAYOUT_VERSION_OFFSET = 8;

    /** Offset of the {@link RingKind} code. */
    public static final int KIND_OFFSET = 12;

    /** Offset of the ring region's capacity in bytes (a power of two). */
    public static final int CAPACITY_OFFSET = 16;

    /** Offset of the longest message, in bytes, that the endpoints agreed on. */
    public static final int MAX_MESSAGE_LENGTH_OFFSET = 20;

    /** Offset of the pid of the process that created the file (the daemon). */
    public static final int OWNER_PID_OFFSET = 24;

    /** Offset of the creation time, epoch milliseconds. */
    public static final int CREATION_TIME_OFFSET = 32;

    /** Offset of the 128-bit token that binds the file to the capability handed out for it. */
    public static final int TOKEN_OFFSET = 40;

    /** Length of the token in bytes. */
    public static final int TOKEN_LENGTH = 16;

    /** Offset of the connection id (0 for a port ring). */
    public static final int CONNECTION_ID_OFFSET = 56;

    /** Offset of the producer's state word: {@link #STATE_OPEN} or {@link #STATE_CLOSED}. */
    public static final int PRODUCER_STATE_OFFSET = BitUtil.CACHE_LINE_LENGTH * 2;

    /** Offset of the consumer's waiter word: non-zero while the consumer sleeps on the doorbell. */
    public static final int CONSUMER_WAITER_OFFSET = BitUtil.CACHE_LINE_LENGTH * 4;

    /** Waiter word: the consumer is awake; producers need not signal. */
    public static final int WAITER_AWAKE = 0;

    /** Waiter word: the consumer sleeps on the word's futex until a producer signals. */
    public static final int WAITER_SLEEPING = 1;

    /**
     * Offset of the consumer's doorbell word: {@link #DOORBELL_UNUSED} until the consumer first prepares to sleep on
     * the waiter word, {@link #DOORBELL_USED} from then on. Producers read it on every publication and pay for the
     * doorbell (a fence and a look at the waiter word) only when it is in use. Written once, on a line of its own.
     */
    public static final int CONSUMER_DOORBELL_OFFSET = BitUtil.CACHE_LINE_LENGTH * 8;

    /** Doorbell word: the consumer never sleeps on this ring (it spins, yields or parks); producers skip the doorbell. */
    public static final int DOORBELL_UNUSED = 0;

    /** Doorbell word: the consumer may sleep on the waiter word; producers ring the doorbell. */
    public static final int DOORBELL_USED = 1;

    /** Offset of the producer's count of messages written (single writer, read by the daemon for stat). */
    public static final int PRODUCER_MESSAGES_OFFSET = BitUtil.CACHE_LINE_LENGTH * 6;

    /** Offset of the producer's count of message bytes written, message headers excluded. */
    public static final int PRODUCER_BYTES_OFFSET = PRODUCER_MESSAGES_OFFSET + Long.BYTES;

    /** Offset of the producer's count of offers, claims and sends that found the ring full. */
    public static final int PRODUCER_BACK_PRESSURE_OFFSET = PRODUCER_BYTES_OFFSET + Long.BYTES;

    /** Producer state: still writing. */
    public static final int STATE_OPEN = 0;

    /** Producer state: will write no more. */
    public static final int STATE_CLOSED = 1;

    /** Length of the header page; the ring region starts here, page aligned. */
    public static final int HEADER_LENGTH = 4096;

    /** Smallest ring capacity accepted. */
    public static final int MIN_CAPACITY = 4096;

    /** Largest ring capacity accepted. */
    public static final int MAX_CAPACITY = 256 * 1024 * 1024;

    private RingFileDescriptor()
    {
    }

    /**
     * Length of a ring file for a given ring capacity.
     *
     * @param capacity of the ring region, a power of two.
     * @return header + ring + trailer, in bytes.
     */
    public static long fileLength(final int capacity)
    {
        return (long)HEADER_LENGTH + capacity + RingDescriptor.TRAILER_LENGTH;
    }

    /**
     * Check a ring capacity.
     *
     * @param capacity in bytes.
     * @return the capacity, when valid.
     * @throws IllegalArgumentException when not a power of two within {@link #MIN_CAPACITY}..{@link #MAX_CAPACITY}.
     */
    public static int checkCapacity(final int capacity)
    {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("ring capacity " + capacity + " is not a power of two in " +
                MIN_CAPACITY + ".." + MAX_CAPACITY);
        }
        return capacity;
    }
}
