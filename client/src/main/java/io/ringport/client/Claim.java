package io.ringport.client;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Space claimed in a ring for one message, written in place and then committed (zero copy); reused, so valid only
 * until {@link #commit()} or {@link #abort()}.
 */
public final class Claim
{
    private final Endpoint endpoint;
    private final OneToOneRingBuffer ring;
    private int index = -1;
    private int offset;
    private int length;

    Claim(final Endpoint endpoint, final OneToOneRingBuffer ring)
    {
        this.endpoint = endpoint;
        this.ring = ring;
    }

    Claim wrap(final int index, final int offset, final int length)
    {
        this.index = index;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * The buffer to write the message into.
     *
     * @return the ring's buffer; write from {@link #offset()} for {@link #length()} bytes.
     */
    public MutableDirectBuffer buffer()
    {
        return ring.buffer();
    }

    /**
     * Where the message bytes go in {@link #buffer()}.
     *
     * @return the offset of the first message byte.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * How many bytes were claimed.
     *
     * @return the message length.
     */
    public int length()
    {
        return length;
    }

    /**
     * Publish the message to the reader.
     */
    public void commit()
    {
        final int index = checkClaimed();
        ring.commit(index);
        endpoint.countSent(length);
        endpoint.signalConsumer();
    }

    /**
     * Give the space back: the reader skips it.
     */
    public void abort()
    {
        ring.abort(checkClaimed());
    }

    private int checkClaimed()
    {
        final int claimed = index;
        if (claimed < 0)
        {
            throw new IllegalStateException("no claim is open: tryClaim first, then commit or abort once");
        }
        index = -1;
        return claimed;
    }
}
