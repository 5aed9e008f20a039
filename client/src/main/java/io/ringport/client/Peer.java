package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.port.PortRecord;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The service's end of one client connection, handed to {@link Listener#onConnection}; its handler runs on the
 * listener's thread, and so should its sends. An exception the handler throws is printed to standard error with the
 * connection's id and the listener serves on: the message it was handling counts as delivered, the ones after it
 * still come, and every other connection is untouched; a handler that wants the connection gone closes it.
 */
public final class Peer
{
    private static final EventHandler NO_HANDLER = message -> {};

    private final Listener listener;
    private final Endpoint endpoint;
    private final Credentials credentials;
    private final long sendTimeoutNs;
    private final IdleStrategy sendIdle;
    private final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    private EventHandler handler = NO_HANDLER;
    private boolean clientGone;
    /** Volatile: a service's worker threads send on the peer and must see the close. */
    private volatile boolean closed;
    /**
     * Why a send found what the client writes for this end broken (its consumer positions or acknowledgements), on
     * any thread; the listener then closes the connection as for a corrupt record. Null while nothing did.
     */
    private volatile String violation;

    Peer(
        final Listener listener,
        final PortRecord.Connect connect,
        final long sendTimeoutNs,
        final IdleStrategy sendIdle,
        final long batchWindowNs)
    {
        this.listener = listener;
        this.credentials = new Credentials(connect.uid(), connect.gid(), connect.pid());
        this.sendTimeoutNs = sendTimeoutNs;
        this.sendIdle = sendIdle;
        this.endpoint = Endpoint.map(connect.connectionId(), "client pid " + connect.pid() + " of '" +
            listener.service() + "'", connect.c2sPath(), connect.s2cPath(), connect.token(), false, new Endpoint.Sink()
            {
                public void onMessage(final Message message)
                {
                    if (closed || null != violation)
                    {
                        // Closed by the handler earlier in this read, or broken by the client: what is left of the
                        // read goes with the connection.
                        return;
                    }
                    try
                    {
                        handler.onMessage(message);
                    }
                    catch (final RuntimeException ex)
                    {
                        // A send of the handler that found the client's words broken is not the handler's fault:
                        // the listener says why as it closes the connection, at its next cycle.
                        if (null == violation || !(ex instanceof RingportException failure) ||
                            ErrorCode.PROTOCOL_VIOLATION != failure.code())
                        {
                            handlerThrew("", ex);
                        }
                    }
                }

                public void onWriteViolation(final Endpoint endpoint, final RingportException violation)
                {
                    sendFailed(violation);
                }

                public void onPeerClosed(final Endpoint endpoint)
                {
                    clientGone = true;
                }
            }).batchWindow(batchWindowNs);
    }

    /**
     * Set the handler for this connection's messages and events.
     *
     * @param handler receives messages and events on the listener's thread.
     * @return this.
     */
    public Peer setEventHandler(final EventHandler handler)
    {
        this.handler = null == handler ? NO_HANDLER : handler;
        return this;
    }

    /**
     * Who the client is, as the daemon saw it.
     *
     * @return uid, gid and pid of the client.
     */
    public Credentials credentials()
    {
        return credentials;
    }

    /**
     * The daemon's id for this connection.
     *
     * @return the connection id.
     */
    public long connectionId()
    {
        return endpoint.connectionId;
    }

    /**
     * Reply to a request, waiting for ring space up to the send timeout.
     *
     * @param request the request being answered (only its correlation id is used).
     * @param buffer  holding the reply.
     * @param offset  of the reply.
     * @param length  of the reply.
     */
    public void reply(final Message request, final DirectBuffer buffer, final int offset, final int length)
    {
        checkOpen();
        endpoint.send(MessageDescriptor.KIND_REPLY, request.correlationId(), buffer, offset, length, sendTimeoutNs,
                sendIdle);
    }

    /**
     * Reply to a request from a byte array.
     *
     * @param request the request being answered.
     * @param bytes   the reply.
     */
    public void reply(final Message request, final byte[] bytes)
    {
        wrapper.wrap(bytes);
        reply(request, wrapper, 0, bytes.length);
    }

    /**
     * Send a one-way message to the client, waiting for ring space up to the send timeout.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     */
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        checkOpen();
        endpoint.send(MessageDescriptor.KIND_ONE_WAY, 0, buffer, offset, length, sendTimeoutNs, sendIdle);
    }

    /**
     * Try to send a one-way message to the client without waiting.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return false when the ring is full right now.
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        checkOpen();
        return endpoint.offer(MessageDescriptor.KIND_ONE_WAY, 0, buffer, offset, length);
    }

    /**
     * Claim ring space for a one-way message of one record to the client, to write in place and commit; one claim
     * at a time.
     *
     * @param length of the message; at most one ring record.
     * @return the claim, or null when the ring has no room now.
     * @throws IllegalStateException when a claim is still open.
     */
    public Claim tryClaim(final int length)
    {
        checkOpen();
        return endpoint.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, length);
    }

    /**
     * Claim ring space for the reply to a request, to write in place and commit; one claim at a time.
     *
     * @param request the request being answered.
     * @param length  of the reply; at most one ring record.
     * @return the claim, or null when the ring has no room now.
     * @throws IllegalStateException when a claim is still open.
     */
    public Claim tryClaimReply(final Message request, final int length)
    {
        checkOpen();
        return endpoint.tryClaim(MessageDescriptor.KIND_REPLY, request.correlationId(), length);
    }

    /**
     * Close this connection from the service's side; the client sees CLOSED after what was sent before.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            // Also ends a send of a worker thread waiting for room, before the listener lets go of the ring. Broken
            // already (a send's finding, which the listener is telling), it keeps that reason, and is closed all
            // the same.
            endpoint.markBroken(ErrorCode.CLOSED);
            endpoint.writeClose();
            listener.onPeerClosed(this);
        }
    }

    /**
     * A write of this end found what the client writes for it broken ({@link Endpoint.Sink#onWriteViolation}): no
     * more is sent, and the listener, woken, closes the connection at its next cycle (this may be a worker thread).
     */
    private void sendFailed(final RingportException ex)
    {
        synchronized (this)
        {
            // The first finding is the reason: a send waiting for room on another thread then fails for it. A close
            // that came first stays the reason: every later send is told CLOSED, as the handler was.
            if (!endpoint.markBroken(ErrorCode.PROTOCOL_VIOLATION))
            {
                return;
            }
            violation = ex.getMessage();
        }
        // Nothing rings the listener's doorbells for this: a worker's finding would wait out its sleep.
        listener.wake();
    }

    /**
     * A send after this end closed would land after its close, where the client never reads; one after a send found
     * the client's words broken would write on into a ring that may not be the client's to read any more. The
     * violation is told first: it is why the listener closed the connection, and a worker's send is told the same
     * whether the listener's cycle has come yet or not.
     */
    private void checkOpen()
    {
        final String broken = violation;
        if (null != broken)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, broken);
        }
        if (closed)
        {
            throw closedError();
        }
    }

    private RingportException closedError()
    {
        return new RingportException(ErrorCode.CLOSED, "connection " + connectionId() + " of '" +
            listener.service() + "' is closed");
    }

    /** The client is gone (DISCONNECT on the port): whatever it committed is readable now; close once drained. */
    void clientGone()
    {
        clientGone = true;
    }

    int poll(final int limit)
    {
        final String broken = violation;
        if (null != broken && !closed)
        {
            // The listener closes it as it closes a connection whose client wrote a corrupt record.
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, broken);
        }
        // A gone client is drained without batch pauses: 0 must mean nothing is left.
        int work = clientGone ? endpoint.pollNow(limit) : endpoint.poll(limit);
        if (clientGone && !closed && 0 == work)
        {
            if (!endpoint.markBroken(ErrorCode.CLOSED))
            {
                // A worker's send found the client's words broken first: that is the reason, told as for any
                // violation, and not CLOSED too.
                throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, foundViolation());
            }
            closed = true;
            deliver(ConnectionEvent.CLOSED, "client pid " + credentials.pid() + " closed the connection");
            endpoint.writeClose();
            listener.onPeerClosed(this);
            work++;
        }
        return work;
    }

    /** The violation of a send whose break came first, once its finder has stored why (under this lock). */
    private synchronized String foundViolation()
    {
        return violation;
    }

    void watchRx(final DoorbellIdleStrategy strategy)
    {
        endpoint.watchRx(strategy);
    }

    /** Hand the handler an event; what it throws is reported, and the listener serves on. */
    void deliver(final ConnectionEvent event, final String reason)
    {
        try
        {
            handler.onEvent(event, reason);
        }
        catch (final RuntimeException ex)
        {
            handlerThrew(" on " + event, ex);
        }
    }

    /** The handler threw: report it and serve on, without a claim it left open, which would fail every later send. */
    private void handlerThrew(final String when, final RuntimeException ex)
    {
        endpoint.abortOpenClaim();
        listener.handlerFailed("the handler of connection " + connectionId() + when, ex, "serving on");
    }

    boolean isClosed()
    {
        return closed;
    }

    /** On the listener thread, which polls the rx ring; a worker of the service's may still be replying on tx. */
    void unmap()
    {
        endpoint.detachRx();
        Linger.unmapTx(endpoint);
    }
}
