package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingFileDescriptor;
import io.ringport.core.ring.RingReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.ringport.core.message.MessageDescriptor.CORRELATION_ID_OFFSET;
import static io.ringport.core.message.MessageDescriptor.HEADER_LENGTH;

/**
 * One end of a connection: the ring it writes (tx) and the ring it reads (rx), with message framing on both.
 * <p>
 * The tx side has one writer thread at a time; the rx side is polled by one thread, which also unmaps it.
 */
final class Endpoint
{
    /** Receives what the rx ring carries, on the polling thread. */
    interface Sink
    {
        void onMessage(Message message);

        void onPeerClosed();
    }

    final long connectionId;
    final String name;
    private final RingFile tx;
    private final RingFile rx;
    private final OneToOneRingBuffer out;
    private final RingReader in;
    private final Sink sink;
    private final Message message = new Message();
    private final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    private final int maxPayload;
    private volatile boolean broken;
    private boolean peerClosed;
    private boolean detached;

    Endpoint(final long connectionId, final String name, final RingFile tx, final RingFile rx, final Sink sink)
    {
        this.connectionId = connectionId;
        this.name = name;
        this.tx = tx;
        this.rx = rx;
        this.out = new OneToOneRingBuffer(tx.ring());
        this.in = new RingReader(rx.ring(), rx.path().toString());
        this.sink = sink;
        this.maxPayload = Math.min(tx.maxMessageLength(),
            RingFileDescriptor.maxRecordPayload(tx.capacity()) - HEADER_LENGTH);
    }

    /** Write one message without waiting; false when the ring has no room now. */
    boolean offer(final int kind, final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        if (length > maxPayload || length < 0)
        {
            throw new RingportException(ErrorCode.MESSAGE_TOO_LONG, "message of " + length + " bytes to " + name +
                " exceeds the largest this connection takes (" + maxPayload + " bytes)");
        }
        final int index = out.tryClaim(MessageDescriptor.typeId(kind), HEADER_LENGTH + length);
        if (RingBuffer.INSUFFICIENT_CAPACITY == index)
        {
            return false;
        }
        final AtomicBuffer buffer = out.buffer();
        buffer.putLong(index + CORRELATION_ID_OFFSET, correlationId);
        buffer.putBytes(index + HEADER_LENGTH, src, offset, length);
        out.commit(index);
        return true;
    }

    /** Same as {@link #offer} for a byte array, through a reused wrapper (single writer). */
    boolean offer(final int kind, final long correlationId, final byte[] src, final int offset, final int length)
    {
        wrapper.wrap(src);
        return offer(kind, correlationId, wrapper, offset, length);
    }

    /** Write one message, waiting for room until the deadline. */
    void send(
        final int kind,
        final long correlationId,
        final DirectBuffer src,
        final int offset,
        final int length,
        final long timeoutNs,
        final IdleStrategy idle)
    {
        if (offer(kind, correlationId, src, offset, length))
        {
            return;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        idle.reset();
        while (!offer(kind, correlationId, src, offset, length))
        {
            if (broken)
            {
                throw new RingportException(ErrorCode.INTERRUPTED, "connection to " + name +
                    " was interrupted while waiting for ring space");
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new RingportException(ErrorCode.BACK_PRESSURE, "no room in the ring to " + name + " for " +
                    (timeoutNs / 1_000_000) + " ms: the other end is not reading");
            }
            idle.idle();
        }
    }

    /** Say in the ring, after everything already written, that this end will write no more. */
    void writeClose(final long timeoutNs, final IdleStrategy idle)
    {
        if (!broken)
        {
            try
            {
                send(MessageDescriptor.KIND_CLOSE, 0, wrapper, 0, 0, timeoutNs, idle);
            }
            catch (final RingportException ex)
            {
                // The reader is gone or stuck: the producer-closed word below still tells it.
            }
        }
        tx.markProducerClosed();
    }

    /** Poll the rx ring; messages and the peer's close go to the sink. */
    int poll(final int limit)
    {
        if (peerClosed || detached)
        {
            return 0;
        }
        return in.read(this::onRecord, limit);
    }

    boolean isDetached()
    {
        return detached;
    }

    boolean isPeerClosed()
    {
        return peerClosed;
    }

    void markBroken()
    {
        broken = true;
    }

    boolean isBroken()
    {
        return broken;
    }

    private void onRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
    {
        if (!MessageDescriptor.isValidTypeId(typeId) || length < HEADER_LENGTH)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + rx.path() + ": record type 0x" +
                Integer.toHexString(typeId) + " with " + length + " bytes is not a valid message");
        }
        if ((typeId & MessageDescriptor.UNFRAGMENTED) != MessageDescriptor.UNFRAGMENTED)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + rx.path() +
                ": fragmented message records are not accepted by this version");
        }
        final int kind = MessageDescriptor.kind(typeId);
        if (MessageDescriptor.KIND_CLOSE == kind)
        {
            peerClosed = true;
            sink.onPeerClosed();
            return;
        }
        final long correlationId = buffer.getLong(offset + CORRELATION_ID_OFFSET);
        sink.onMessage(message.wrap(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH, correlationId, kind));
    }

    /**
     * Unmap the rx ring, once, on the polling thread.
     *
     * @return false when it was already detached.
     */
    boolean detachRx()
    {
        if (detached)
        {
            return false;
        }
        detached = true;
        rx.close();
        return true;
    }

    void unmapTx()
    {
        tx.close();
    }
}
