package io.ringport.core.ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Receives the records a {@link RingReader} takes off a ring; the bytes are valid only during the call.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * One record, already checked to lie within the ring.
     *
     * @param typeId the record's type, as the producer wrote it (never padding).
     * @param buffer the ring region.
     * @param offset of the payload in the buffer.
     * @param length of the payload in bytes.
     */
    void onRecord(int typeId, AtomicBuffer buffer, int offset, int length);
}
