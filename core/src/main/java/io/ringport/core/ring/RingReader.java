package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.concurrent.AtomicBuffer;

import static io.ringport.core.ring.RingDescriptor.ALIGNMENT;
import static io.ringport.core.ring.RingDescriptor.HEADER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.LENGTH_OFFSET;
import static io.ringport.core.ring.RingDescriptor.PADDING_TYPE_ID;
import static io.ringport.core.ring.RingDescriptor.TAIL_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TRAILER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.TYPE_OFFSET;
import static org.agrona.BitUtil.align;

/**
 * The consuming end of a single-producer ring ({@link RingDescriptor}) whose producer, a {@link RingWriter}, is in
 * another, untrusted process.
 * <p>
 * It polls only the producer's tail position; when that moves, every record up to it is complete and is read in one
 * pass, and the head position is published once per pass. Every tail position, record length and type is checked
 * against the ring's bounds before the payload is touched: a corrupt or hostile producer makes it throw
 * {@link RingportException} ({@link ErrorCode#PROTOCOL_VIOLATION}), never read out of bounds or loop forever.
 */
public final class RingReader
{
    private final AtomicBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int headPositionIndex;
    private final int tailPositionIndex;
    private final int maxRecordLength;
    private final String name;
    /** Ours alone: the producer can rewrite the shared head, but it is only ever stored, never read back. */
    private long head;

    /**
     * A reader over a ring region with its trailer.
     *
     * @param buffer the ring region, capacity + {@link RingDescriptor#TRAILER_LENGTH} bytes.
     * @param name   what to call this ring in error messages (its path, say).
     */
    public RingReader(final AtomicBuffer buffer, final String name)
    {
        this.buffer = buffer;
        this.capacity = buffer.capacity() - TRAILER_LENGTH;
        this.mask = capacity - 1;
        this.headPositionIndex = capacity + HEAD_POSITION_OFFSET;
        this.tailPositionIndex = capacity + TAIL_POSITION_OFFSET;
        this.maxRecordLength = RingDescriptor.maxRecordPayload(capacity) + HEADER_LENGTH;
        this.name = name;
        this.head = buffer.getLongVolatile(headPositionIndex);
    }

    /**
     * Take up to {@code limit} records off the ring and hand each to the handler.
     *
     * @param handler for each record.
     * @param limit   most records to read in this call.
     * @return how many records were handed to the handler.
     * @throws RingportException when the ring holds a position or record that breaks the format.
     */
    public int read(final RecordHandler handler, final int limit)
    {
        // The empty look stays small enough to inline into a polling loop; what there is, is read apart.
        final long tail = buffer.getLongVolatile(tailPositionIndex);
        return tail == head ? 0 : readTo(tail, handler, limit);
    }

    private int readTo(final long tail, final RecordHandler handler, final int limit)
    {
        final AtomicBuffer buffer = this.buffer;
        final long head = this.head;
        final long available = tail - head;
        if (available < 0 || available > capacity || 0 != (available & (ALIGNMENT - 1)))
        {
            throw badTail(tail, head);
        }

        long position = head;
        int recordsRead = 0;
        try
        {
            while (position != tail && recordsRead < limit)
            {
                final int index = (int)position & mask;
                final int recordLength = buffer.getInt(index + LENGTH_OFFSET);
                final int typeId = buffer.getInt(index + TYPE_OFFSET);
                if (recordLength < HEADER_LENGTH || recordLength > Math.min(capacity - index, tail - position))
                {
                    throw badLength(recordLength, index);
                }
                if (PADDING_TYPE_ID == typeId)
                {
                    position += align(recordLength, ALIGNMENT);
                    continue;
                }
                if (recordLength > maxRecordLength || typeId <= 0)
                {
                    throw badRecord(recordLength, typeId, index);
                }

                position += align(recordLength, ALIGNMENT);
                recordsRead++;
                handler.onRecord(typeId, buffer, index + HEADER_LENGTH, recordLength - HEADER_LENGTH);
            }
        }
        finally
        {
            if (position != head)
            {
                this.head = position;
                buffer.putLongRelease(headPositionIndex, position);
            }
        }

        return recordsRead;
    }

    /**
     * Position up to which the consumer has read.
     *
     * @return the head position, in bytes since the ring was created.
     */
    public long consumerPosition()
    {
        return head;
    }

    /**
     * Is there nothing left to read right now?
     *
     * @return true when the producer's tail equals the consumer's head.
     */
    public boolean isEmpty()
    {
        return buffer.getLongVolatile(tailPositionIndex) == head;
    }

    private RingportException badTail(final long tail, final long head)
    {
        return corrupt("producer position " + tail + " is not within one ring ahead of the consumer position " + head);
    }

    private RingportException badLength(final int recordLength, final int index)
    {
        return corrupt("record length " + recordLength + " at index " + index + " does not fit the ring (capacity " +
            capacity + ")");
    }

    private RingportException badRecord(final int recordLength, final int typeId, final int index)
    {
        return recordLength > maxRecordLength ?
            corrupt("record length " + recordLength + " at index " + index + " exceeds the ring's record limit " +
                maxRecordLength) :
            corrupt("record type " + typeId + " at index " + index + " is not valid");
    }

    private RingportException corrupt(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": " + reason);
    }
}
