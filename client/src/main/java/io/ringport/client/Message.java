package io.ringport.client;

import io.ringport.core.message.MessageDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A message as a handler sees it: a flyweight over the ring, valid only during the callback; {@link #copy()} keeps it.
 */
public final class Message
{
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private long correlationId;
    private int kind;

    Message()
    {
    }

    Message wrap(final DirectBuffer buffer, final int offset, final int length, final long correlationId, final int kind)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.correlationId = correlationId;
        this.kind = kind;
        return this;
    }

    /**
     * The buffer that holds the message bytes.
     *
     * @return the buffer; read from {@link #offset()} for {@link #length()} bytes.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the message bytes start in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * How many bytes the message has.
     *
     * @return the length.
     */
    public int length()
    {
        return length;
    }

    /**
     * The message bytes as a buffer of their own bounds (reused: valid during the callback).
     *
     * @return a view with index 0 at the first message byte.
     */
    public DirectBuffer contents()
    {
        view.wrap(buffer, offset, length);
        return view;
    }

    /**
     * The id that links a request and its reply.
     *
     * @return the correlation id, 0 for one-way messages.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * Does the sender wait for a reply?
     *
     * @return true for a request: answer it with {@link Peer#reply}.
     */
    public boolean isRequest()
    {
        return MessageDescriptor.KIND_REQUEST == kind;
    }

    /**
     * Is this a reply to a request of ours?
     *
     * @return true for a reply.
     */
    public boolean isReply()
    {
        return MessageDescriptor.KIND_REPLY == kind;
    }

    /**
     * The message bytes in a new array.
     *
     * @return a copy of the bytes.
     */
    public byte[] toByteArray()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /**
     * A copy that stays valid after the callback.
     *
     * @return a new message over its own bytes.
     */
    public Message copy()
    {
        return new Message().wrap(new UnsafeBuffer(toByteArray()), 0, length, correlationId, kind);
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "Message{length=" + length + ", correlationId=" + correlationId + ", kind=" + kind + "}";
    }
}
