package io.ringport.client;

import io.ringport.core.ring.RingWriter;
import org.agrona.MutableDirectBuffer;

/**
 * Space claimed in a ring for one message, written in place and then committed (zero copy); reused, so valid only
 * until {@link #commit()} or {@link #abort()}.
 */
public final class Claim
{
    private final Endpoint endpoint;
    private final RingWriter ring;
    private int index = -1;
    private int offset;
    private int length;

    Claim(final Endpoint endpoint, final RingWriter ring)
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
        checkClaimed();
        // A claim still open when its connection closed: the close comes first, and the ring is let go of soon.
        endpoint.checkNotBroken();
        ring.commit();
        endpoint.countSent(length);
        endpoint.signalConsumer();
    }

    /**
     * Give the space back: the reader never sees it.
     */
    public void abort()
    {
        checkClaimed();
        ring.abort();
    }

    /** Drop a claim the user's code left open (it threw before the commit), so that the next claim can be made. */
    void abortIfOpen()
    {
        if (index >= 0)
        {
            abort();
        }
    }

    private void checkClaimed()
    {
        if (index < 0)
        {
            throw new IllegalStateException("no claim is open: tryClaim first, then commit or abort once");
        }
        index = -1;
    }
}
