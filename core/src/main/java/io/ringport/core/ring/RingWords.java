package io.ringport.core.ring;

import org.agrona.BitUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import static io.ringport.core.ring.RingDescriptor.TRAILER_LENGTH;

/**
 * The 8-byte words of a ring region that a reader and a writer poll and publish on every record, accessed without
 * Agrona's per-access bounds check: every index they pass is a position masked into the ring (so at most
 * {@code capacity - 8}, records being aligned) or a fixed offset in the trailer, and the region is checked once,
 * here, to hold a ring of a power-of-two capacity and its trailer. Payloads, which a handler indexes with lengths
 * taken from shared memory, stay behind the buffer's checks.
 */
final class RingWords
{
    private final byte[] array;
    private final long address;

    /**
     * @param buffer the ring region.
     * @throws IllegalArgumentException when it is not a power-of-two ring and its trailer.
     */
    RingWords(final AtomicBuffer buffer)
    {
        final int capacity = buffer.capacity() - TRAILER_LENGTH;
        if (capacity < RingDescriptor.ALIGNMENT || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("a ring region of " + buffer.capacity() + " bytes is not a " +
                "power-of-two ring of at least " + RingDescriptor.ALIGNMENT + " bytes and its " + TRAILER_LENGTH +
                "-byte trailer");
        }
        this.array = buffer.byteArray();
        this.address = buffer.addressOffset();
    }

    long getLongVolatile(final int index)
    {
        return UnsafeApi.getLongVolatile(array, address + index);
    }

    long getLong(final int index)
    {
        return UnsafeApi.getLong(array, address + index);
    }

    void putLongRelease(final int index, final long value)
    {
        UnsafeApi.putLongRelease(array, address + index, value);
    }

    void putLong(final int index, final long value)
    {
        UnsafeApi.putLong(array, address + index, value);
    }
}
