package io.ringport.cli;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Round trips through an echo service with one-way messages in invoker mode: the caller's thread sends, then polls
 * for the echo, so nothing is allocated and no other thread is involved.
 */
final class Pinger implements EventHandler
{
    /** How long the first round trip may take: it may launch the service. */
    static final long LAUNCH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** How long any later round trip may take before it counts as lost. */
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private final Connection connection;
    private final UnsafeBuffer payload;
    private final int size;
    private long sequence;
    private long echoed = -1;
    private String failure;

    Pinger(final Connection connection, final int size)
    {
        this.connection = connection;
        this.size = size;
        this.payload = new UnsafeBuffer(new byte[Math.max(size, 8)]);
        connection.setEventHandler(this);
    }

    /** One round trip: nanoseconds, or -1 when no echo came within the timeout. */
    long roundTrip(final long timeoutNs)
    {
        final long expected = ++sequence;
        if (size >= 8)
        {
            payload.putLong(0, expected);
        }
        final long start = System.nanoTime();
        connection.send(payload, 0, size);
        final long deadline = start + timeoutNs;
        while (echoed != expected)
        {
            if (null != failure)
            {
                throw new RingportException(ErrorCode.SERVICE_FAILED, failure);
            }
            if (0 == connection.poll(16))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return -1;
                }
                Thread.onSpinWait();
            }
        }
        return System.nanoTime() - start;
    }

    /** {@inheritDoc} */
    public void onMessage(final Message message)
    {
        echoed = message.length() >= 8 ? message.buffer().getLong(message.offset()) : sequence;
    }

    /** {@inheritDoc} */
    public void onEvent(final ConnectionEvent event, final String reason)
    {
        if (ConnectionEvent.INTERRUPTED == event || ConnectionEvent.INVALIDATED == event)
        {
            failure = event + ": " + reason;
        }
    }
}
