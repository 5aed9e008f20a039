package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import static org.agrona.BitUtil.align;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.lengthOffset;
import static org.agrona.concurrent.ringbuffer.RecordDescriptor.typeOffset;
import static org.agrona.concurrent.ringbuffer.RingBuffer.PADDING_MSG_TYPE_ID;

/**
 * The consuming end of a single-producer ring whose producer is another, untrusted process.
 * <p>
 * It reads the record format of Agrona's {@code OneToOneRingBuffer} (so that class can be the producer) but checks
 * every record length and type against the ring's bounds before it touches the payload: a corrupt or hostile
 * producer makes it throw {@link RingportException} ({@link ErrorCode#PROTOCOL_VIOLATION}), never read out of
 * bounds or loop forever.
 */
public final class RingReader
{
    private final AtomicBuffer buffer;
    private final int capacity;
    private final int headPositionIndex;
    private final int tailPositionIndex;
    private final int maxRecordLength;
    private final String name;

    /**
     * A reader over a ring region with its Agrona trailer.
     *
     * @param buffer the ring region, capacity + {@link RingBufferDescriptor#TRAILER_LENGTH} bytes.
     * @param name   what to call this ring in error messages (its path, say).
     */
    public RingReader(final AtomicBuffer buffer, final String name)
    {
        this.buffer = buffer;
        this.capacity = buffer.capacity() - RingBufferDescriptor.TRAILER_LENGTH;
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.tailPositionIndex = capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.maxRecordLength = RingFileDescriptor.maxRecordPayload(capacity) + HEADER_LENGTH;
        this.name = name;
    }

    /**
     * Take up to {@code limit} records off the ring and hand each to the handler.
     *
     * @param handler for each record.
     * @param limit   most records to read in this call.
     * @return how many records were handed to the handler.
     * @throws RingportException when the ring holds a record that breaks the format.
     */
    public int read(final RecordHandler handler, final int limit)
    {
        final AtomicBuffer buffer = this.buffer;
        final int capacity = this.capacity;
        final long head = buffer.getLong(headPositionIndex);
        final int headIndex = (int)head & (capacity - 1);
        final int contiguousBlockLength = capacity - headIndex;

        int bytesRead = 0;
        int recordsRead = 0;
        try
        {
            while (bytesRead < contiguousBlockLength && recordsRead < limit)
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break;
                }
                if (recordLength < HEADER_LENGTH || recordLength > contiguousBlockLength - bytesRead)
                {
                    throw corrupt("record length " + recordLength + " at index " + recordIndex +
                        " does not fit the ring (capacity " + capacity + ")");
                }

                final int typeId = buffer.getInt(typeOffset(recordIndex));
                if (PADDING_MSG_TYPE_ID != typeId)
                {
                    if (recordLength > maxRecordLength)
                    {
                        throw corrupt("record length " + recordLength + " at index " + recordIndex +
                            " exceeds the ring's record limit " + maxRecordLength);
                    }
                    if (typeId <= 0)
                    {
                        throw corrupt("record type " + typeId + " at index " + recordIndex + " is not valid");
                    }
                }

                bytesRead += align(recordLength, ALIGNMENT);
                if (PADDING_MSG_TYPE_ID != typeId)
                {
                    recordsRead++;
                    handler.onRecord(typeId, buffer, recordIndex + HEADER_LENGTH, recordLength - HEADER_LENGTH);
                }
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                buffer.putLongRelease(headPositionIndex, head + bytesRead);
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
        return buffer.getLongVolatile(headPositionIndex);
    }

    /**
     * Is there nothing left to read right now?
     *
     * @return true when the producer's tail equals the consumer's head.
     */
    public boolean isEmpty()
    {
        return buffer.getLongVolatile(tailPositionIndex) == buffer.getLongVolatile(headPositionIndex);
    }

    private RingportException corrupt(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": " + reason);
    }
}
