package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.message.MessageDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's connection to a named service, created lazily as in XPC: nothing happens until the first send, which
 * asks the daemon for the connection (launching the service if needed) and writes straight into the ring.
 * <p>
 * Messages and events reach the {@link EventHandler} in order, on the library's receiver thread after
 * {@link #resume()}, or on the caller's thread in {@link #poll(int)} (invoker mode, without resume). Sending is
 * single-writer: call the send methods of one connection from one thread at a time.
 */
public final class Connection implements AutoCloseable
{
    private static final EventHandler NO_HANDLER = message -> {};
    private static final long INVOKER_MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private enum State
    {
        NOT_CONNECTED, CONNECTED, INVALIDATED, CLOSED
    }

    private final Ringport ringport;
    private final String service;
    private final Ringport.Context ctx;
    private final IdleStrategy sendIdle;
    private final IdleStrategy invokerIdle;
    private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final Queue<Endpoint> retired = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Message>> replies = new ConcurrentHashMap<>();
    private final AtomicLong nextCorrelationId = new AtomicLong();
    private final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    /**
     * Held from a finding's break of the endpoint to the queueing of its teardown, and around a close's break: a close
     * that comes second then runs after that teardown, which tells the finding's event. Held for nothing else, and
     * never while waiting: the control thread takes it, and a connect holds this connection's lock while it waits for
     * that thread.
     */
    private final Object breaking = new Object();
    private final Endpoint.Sink sink = new Endpoint.Sink()
    {
        public void onMessage(final Message message)
        {
            onRingMessage(message);
        }

        public void onWriteViolation(final Endpoint current, final RingportException violation)
        {
            sendFailed(current, violation);
        }

        public void onPeerClosed(final Endpoint closed)
        {
            // Not from inside the ring read: detaching unmaps the ring being read. Poll runs it when the read
            // returns, rather than a poller asleep on its doorbells at its next wake (this ring is off its list now).
            // Broken first by another finding, the endpoint goes with that one's teardown and event instead: so
            // does an end a send replaced since (a teardown drains it), whose close is not the new end's.
            if (breakEndpoint(closed, ErrorCode.CLOSED, ConnectionEvent.CLOSED,
                "service '" + service + "' closed the connection"))
            {
                teardownQueued = true;
            }
        }
    };

    private volatile Endpoint endpoint;
    private volatile State state = State.NOT_CONNECTED;
    private volatile ErrorCode invalidCode;
    private volatile String invalidReason;
    private volatile boolean resumed;
    private volatile EventHandler handler = NO_HANDLER;
    /** On the polling thread: what the message handler last threw, to tell it from a fault of the ring. */
    private RuntimeException handlerFailure;
    /** On the polling thread: a ring read is on, so the rings must not be let go until it returns. */
    private boolean inPoll;
    /** On the polling thread: a teardown was queued from inside the read, for poll to run after it. */
    private boolean teardownQueued;

    Connection(final Ringport ringport, final String service)
    {
        this.ringport = ringport;
        this.service = service;
        this.ctx = ringport.context();
        this.sendIdle = ctx.sendIdleStrategy();
        // In invoker mode the caller's thread waits for replies with the polling strategy: with BLOCKING it sleeps
        // on this connection's own doorbell, so a reply costs one wake-up, as a blocking socket read would.
        this.invokerIdle = ctx.pollingIdleStrategy(this::watchRx, INVOKER_MAX_SLEEP_NS);
    }

    /**
     * The service this connection is for.
     *
     * @return the service name.
     */
    public String service()
    {
        return service;
    }

    /**
     * Set the handler for messages and events; do it before {@link #resume()}.
     *
     * @param handler receives messages and events.
     * @return this.
     */
    public Connection setEventHandler(final EventHandler handler)
    {
        this.handler = null == handler ? NO_HANDLER : handler;
        return this;
    }

    /**
     * Start delivering messages and events on the library's receiver thread.
     *
     * @return this.
     */
    public Connection resume()
    {
        if (!resumed)
        {
            resumed = true;
            ringport.receiverAdd(this);
        }
        return this;
    }

    /**
     * Is the connection established right now?
     *
     * @return true between the first send and an interruption, invalidation or close.
     */
    public boolean isConnected()
    {
        final Endpoint current = endpoint;
        return null != current && !current.isBroken();
    }

    /**
     * Send a one-way message, waiting for ring space up to the context's send timeout.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @param length of the message.
     * @throws RingportException when the service is unknown, failed, or does not read in time.
     */
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        connected().send(MessageDescriptor.KIND_ONE_WAY, 0, buffer, offset, length, ctx.sendTimeoutNs(), sendIdle);
    }

    /**
     * Send a one-way message from a byte array.
     *
     * @param bytes  holding the message.
     * @param offset of the message.
     * @param length of the message.
     */
    public void send(final byte[] bytes, final int offset, final int length)
    {
        wrapper.wrap(bytes);
        send(wrapper, offset, length);
    }

    /**
     * Send a whole byte array as a one-way message.
     *
     * @param bytes the message.
     */
    public void send(final byte[] bytes)
    {
        send(bytes, 0, bytes.length);
    }

    /**
     * Try to send a one-way message without waiting.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return false when the ring is full right now (back-pressure).
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return connected().offer(MessageDescriptor.KIND_ONE_WAY, 0, buffer, offset, length);
    }

    /**
     * Try to send a one-way message from a byte array without waiting.
     *
     * @param bytes  holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return false when the ring is full right now.
     */
    public boolean offer(final byte[] bytes, final int offset, final int length)
    {
        wrapper.wrap(bytes);
        return offer(wrapper, offset, length);
    }

    /**
     * Claim ring space for a one-way message of one record, to write in place and then
     * {@link Claim#commit() commit} (zero copy); nothing is allocated. One claim at a time: commit or abort it
     * before the next claim or send.
     *
     * @param length of the message; at most one ring record (ring capacity / 8 minus 8 bytes).
     * @return the claim, or null when the ring has no room now (back-pressure).
     * @throws IllegalStateException when a claim is still open.
     */
    public Claim tryClaim(final int length)
    {
        return connected().tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, length);
    }

    /**
     * Send a request; the future completes with a copy of the reply, or fails when the connection is interrupted,
     * invalidated or closed first.
     *
     * @param buffer holding the request.
     * @param offset of the request.
     * @param length of the request.
     * @return the reply to come.
     */
    public CompletableFuture<Message> request(final DirectBuffer buffer, final int offset, final int length)
    {
        final CompletableFuture<Message> reply = new CompletableFuture<>();
        sendRequest(buffer, offset, length, reply);
        return reply;
    }

    private long sendRequest(
        final DirectBuffer buffer, final int offset, final int length, final CompletableFuture<Message> reply)
    {
        final Endpoint current = connected();
        final long correlationId = nextCorrelationId.incrementAndGet();
        replies.put(correlationId, reply);
        try
        {
            current.send(MessageDescriptor.KIND_REQUEST, correlationId, buffer, offset, length, ctx.sendTimeoutNs(),
                sendIdle);
        }
        catch (final RuntimeException ex)
        {
            replies.remove(correlationId);
            throw ex;
        }
        return correlationId;
    }

    /**
     * Send a request and wait for its reply.
     *
     * @param buffer  holding the request.
     * @param offset  of the request.
     * @param length  of the request.
     * @param timeout how long to wait for the reply.
     * @return a copy of the reply.
     * @throws RingportException     ({@link ErrorCode#TIMED_OUT}) when no reply comes in time, or the failure that
     *                               ended the request.
     * @throws IllegalStateException when called from a handler on the receiver thread after {@link #resume()}: that
     *                               thread delivers the reply, so it would only wait out the timeout (use
     *                               {@link #request}).
     */
    public Message requestSync(final DirectBuffer buffer, final int offset, final int length, final Duration timeout)
    {
        if (resumed && ringport.onReceiverThread())
        {
            throw new IllegalStateException("requestSync to '" + service + "' from a handler on the receiver thread, " +
                "which delivers the reply it would wait for: use request() and complete the work in its future");
        }
        if (!resumed)
        {
            // Refused before anything is sent: the poll it would wait in is refused anyway.
            checkNotInOwnRead();
        }
        final CompletableFuture<Message> reply = new CompletableFuture<>();
        final long correlationId = sendRequest(buffer, offset, length, reply);
        final long deadline = System.nanoTime() + timeout.toNanos();
        try
        {
            if (!resumed)
            {
                // Invoker mode: nobody else polls, so this thread does while it waits.
                final IdleStrategy idle = invokerIdle;
                idle.reset();
                while (!reply.isDone() && System.nanoTime() - deadline < 0)
                {
                    idle.idle(poll(64));
                }
                final Endpoint current = endpoint;
                if (null != current)
                {
                    // No poll may follow for a while: the reply's room goes back to the service now.
                    current.releaseReadRoom();
                }
            }
            return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            replies.remove(correlationId);
            throw new RingportException(ErrorCode.TIMED_OUT, "no reply from service '" + service + "' within " +
                timeout.toMillis() + " ms");
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RingportException re ? re :
                new RingportException(ErrorCode.INTERNAL, "request to '" + service + "' failed", ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RingportException(ErrorCode.CLOSED, "interrupted while waiting for '" + service + "'", ex);
        }
    }

    /**
     * Send a request from a byte array and wait for its reply.
     *
     * @param bytes   the request.
     * @param timeout how long to wait.
     * @return a copy of the reply.
     */
    public Message requestSync(final byte[] bytes, final Duration timeout)
    {
        return requestSync(new UnsafeBuffer(bytes), 0, bytes.length, timeout);
    }

    /**
     * Deliver what has arrived to the handler on this thread (invoker mode; the receiver thread does this after
     * {@link #resume()}).
     *
     * @param limit most messages to deliver.
     * @return how much work was done; 0 when there was nothing.
     * @throws IllegalStateException after {@link #resume()} on another thread than the receiver, or from inside this
     *                               connection's own message handler (a nested read would deliver the same messages).
     */
    public int poll(final int limit)
    {
        checkPoller();
        int work = runEvents();
        final Endpoint current = endpoint;
        if (null != current && !current.isPeerClosed())
        {
            inPoll = true;
            try
            {
                work += current.poll(limit);
            }
            catch (final RuntimeException ex)
            {
                if (ex == handlerFailure || !(ex instanceof RingportException violation))
                {
                    // The handler's own exception (a send of its that timed out, say), not the ring's fault: it
                    // goes to whoever polls, and the connection stays as it is.
                    handlerFailure = null;
                    throw ex;
                }
                onViolation(current, violation);
                work++;
            }
            finally
            {
                inPoll = false;
            }
            if (teardownQueued)
            {
                // A handler closed its connection from inside the read: the teardown is done now that it is over.
                teardownQueued = false;
                work += runEvents();
            }
        }
        return work;
    }

    /** After {@link Ringport#close()}: run what the close queued, unless this thread is inside this connection's read. */
    void settle()
    {
        if (!inPoll)
        {
            poll(0);
        }
    }

    private void checkPoller()
    {
        if (resumed && !ringport.mayPollResumed())
        {
            // Two threads reading one ring would each take records the other then reads again.
            throw wrongPoller("after resume(): the receiver thread polls it");
        }
        checkNotInOwnRead();
    }

    private void checkNotInOwnRead()
    {
        if (inPoll)
        {
            // The read under way has not stored how far it got: a nested one would hand out the same messages again.
            throw wrongPoller("from inside its own message handler (requestSync polls too in invoker mode): use " +
                "request() and poll on after the handler");
        }
    }

    private IllegalStateException wrongPoller(final String why)
    {
        return new IllegalStateException("poll of the connection to '" + service + "' " + why);
    }

    private int runEvents()
    {
        int work = 0;
        Runnable event;
        while (null != (event = events.poll()))
        {
            event.run();
            work++;
        }
        return work;
    }

    /**
     * The wait strategy for a thread that polls this connection in invoker mode, to idle between polls as in
     * {@code idle.idle(connection.poll(16))}: the context's wait strategy, and under {@link WaitStrategy#BLOCKING}
     * one that sleeps on this connection's own doorbell until the service writes to it or an event arrives (at most
     * 5 ms at a time). The same instance every call, with state: use it only on the polling thread, not after
     * {@link #resume()}.
     *
     * @return the strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return invokerIdle;
    }

    /**
     * Close the connection: everything sent before is delivered to the service, then it sees CLOSED; the daemon
     * removes the connection's files once both ends let go. An event that came before the close (an
     * {@link ConnectionEvent#INVALIDATED} that a send found, say) still reaches the handler, once; the close itself
     * adds none.
     */
    public void close()
    {
        synchronized (this)
        {
            if (State.CLOSED == state)
            {
                return;
            }
            state = State.CLOSED;
        }
        failReplies(ErrorCode.CLOSED, "connection to '" + service + "' was closed");
        final Endpoint current = endpoint;
        try
        {
            if (null != current)
            {
                synchronized (breaking)
                {
                    // Broken first: a send of another thread waiting for room stops before the close, not after it.
                    // Broken already, it keeps that reason, and the teardown of that finding, queued by now, goes
                    // first and tells its event; this close still says so to the service and lets go of the rings.
                    current.markBroken(ErrorCode.CLOSED);
                }
                current.writeClose();
                detach(current);
            }
            else
            {
                if (onPollingThread(null) && !inPoll)
                {
                    // Never connected, or refused (an INVALIDATED queued without an endpoint): told before the
                    // close, as detach tells them with one.
                    runEventsBeforeClose();
                }
                ringport.forget(this);
            }
        }
        finally
        {
            if (null != current)
            {
                // Later, not now: a send on another thread may still be writing into it.
                Linger.unmapTx(current);
            }
            unmapRetired();
        }
    }

    /** Wake whichever thread polls this connection if it sleeps on its doorbells: the receiver, or the invoker. */
    private void wakePoller()
    {
        if (resumed)
        {
            ringport.wakeReceiver();
        }
        else if (invokerIdle instanceof DoorbellIdleStrategy doorbell)
        {
            doorbell.wake();
        }
    }

    /** Offer the current rx ring to a blocking wait strategy (on the thread that polls this connection). */
    void watchRx(final DoorbellIdleStrategy strategy)
    {
        final Endpoint current = endpoint;
        if (null != current)
        {
            current.watchRx(strategy);
        }
    }

    /** Route an event from the daemon (control thread) to the polling thread. */
    void onDaemonEvent(final ControlMessage event)
    {
        final Endpoint current = endpoint;
        if (event instanceof ControlMessage.Interrupted interrupted)
        {
            if (null != current && current.connectionId == interrupted.connectionId() &&
                breakEndpoint(current, ErrorCode.INTERRUPTED, ConnectionEvent.INTERRUPTED, interrupted.reason()))
            {
                runSoon(ConnectionEvent.INTERRUPTED);
            }
        }
        else if (event instanceof ControlMessage.Invalidated invalidated)
        {
            if (null != current && current.connectionId == invalidated.connectionId() && breakEndpoint(current,
                ErrorCode.ofWire(invalidated.code()), ConnectionEvent.INVALIDATED, invalidated.reason()))
            {
                runSoon(ConnectionEvent.INVALIDATED);
            }
        }
    }

    /**
     * A write of ours found what the service writes for it broken ({@link Endpoint.Sink#onWriteViolation}: its
     * consumer positions or its acknowledgements): the connection is invalidated as for a corrupt record it wrote,
     * from whichever thread sent.
     * An endpoint already broken was given up for a reason found first (a send waiting for room then fails with it),
     * which stays the reason. The teardown is always queued for the polling thread: this may be a handler of another
     * connection, which must not have this one drained under it.
     */
    private void sendFailed(final Endpoint current, final RingportException ex)
    {
        if (breakEndpoint(current, ex.code(), ConnectionEvent.INVALIDATED, ex.getMessage()))
        {
            wakePoller();
        }
    }

    /** Shared memory from the service broke the protocol: give up this connection (on the polling thread). */
    private void onViolation(final Endpoint current, final RingportException ex)
    {
        if (breakEndpoint(current, ex.code(), ConnectionEvent.INVALIDATED, ex.getMessage()))
        {
            runSoon(ConnectionEvent.INVALIDATED);
        }
    }

    /**
     * Give up an endpoint for a finding, unless another finding gave it up first: break it, and queue its teardown,
     * which tells the handler this event. The first finding is the endpoint's one event and the reason every send on
     * it then throws; a later one changes neither, and invalidates nothing either, so that no send is refused for a
     * reason the handler was never told.
     *
     * @return false when another finding was first: its teardown tells its own event.
     */
    private boolean breakEndpoint(
        final Endpoint current, final ErrorCode why, final ConnectionEvent event, final String reason)
    {
        if (current.isBroken())
        {
            // Too late, told so without this connection's lock: a connect that holds it waits for the daemon's
            // answer, which the control thread (a caller here) reads, and it connects only for a broken endpoint.
            return false;
        }
        if (ConnectionEvent.INVALIDATED != event)
        {
            return breakAndQueue(current, why, event, reason);
        }
        synchronized (this)
        {
            // Under connect's lock too: a send that saw the break finds the connection invalidated there, and does
            // not connect again.
            return breakAndQueue(current, why, event, reason);
        }
    }

    private boolean breakAndQueue(
        final Endpoint current, final ErrorCode why, final ConnectionEvent event, final String reason)
    {
        synchronized (breaking)
        {
            if (!current.markBroken(why))
            {
                return false;
            }
            if (ConnectionEvent.INVALIDATED == event)
            {
                invalidate(why, reason);
            }
            events.add(detachment(current, event, reason));
            return true;
        }
    }

    /**
     * Have a teardown this thread queued run soon: when the read under way returns, on the polling thread (poll lets
     * go after the read); else at the poller's next cycle, woken for it.
     */
    private void runSoon(final ConnectionEvent event)
    {
        if (inPoll && onPollingThread(event))
        {
            teardownQueued = true;
        }
        else
        {
            wakePoller();
        }
    }

    /**
     * A close's teardown of its endpoint: on the polling thread, after delivering what it still holds and what was
     * queued before the close.
     */
    private void detach(final Endpoint old)
    {
        final Runnable detach = detachment(old, null, null);
        // The rx ring may be unmapped only by the thread that polls it: the receiver after resume(), else the caller;
        // and not from inside a read of it (a handler that closes its connection): poll lets go after the read.
        if (onPollingThread(null) && !inPoll)
        {
            try
            {
                // What was queued before the close is told first, as it would be if another thread had closed.
                // Else this teardown would go first and drop them, an INVALIDATED a send found among them.
                runEventsBeforeClose();
            }
            finally
            {
                // Also after an Error of a handler: the close lets go of the endpoint whatever the handler did.
                detach.run();
            }
        }
        else
        {
            events.add(detach);
            runSoon(null);
        }
    }

    /**
     * Is this the thread that polls this connection, for a teardown that tells this event (null for a close): the
     * receiver after resume(); else the caller, who polls in invoker mode, for a close, and not for what another
     * thread (the control thread, a sender) finds.
     */
    private boolean onPollingThread(final ConnectionEvent event)
    {
        return resumed ? ringport.onReceiverThread() : null == event;
    }

    /** Run what was queued before a close, on the polling thread; a handler's exception must not stop the close. */
    private void runEventsBeforeClose()
    {
        while (true)
        {
            try
            {
                runEvents();
                return;
            }
            catch (final RuntimeException ex)
            {
                // The event that threw is off the queue: the rest run on.
                HandlerFailure.report("the handler of the connection to '" + service + "'", ex, "closing on");
            }
        }
    }

    /**
     * The teardown of an endpoint, queued by the finding that broke it or run or queued by a close ({@link #detach}):
     * let go of the endpoint, then tell the handler.
     */
    private Runnable detachment(final Endpoint old, final ConnectionEvent event, final String reason)
    {
        return () ->
        {
            if (old.isDetached())
            {
                // A close's, after the finding's that broke the endpoint first and came first in the queue.
                return;
            }
            if (null != event && ConnectionEvent.CLOSED != event)
            {
                drain(old);
            }
            if (endpoint == old)
            {
                endpoint = null;
                if (State.CONNECTED == state)
                {
                    state = State.NOT_CONNECTED;
                }
            }
            ringport.unroute(old.connectionId);
            ringport.tellDaemon(new ControlMessage.Release(old.connectionId));
            old.detachRx();
            retired.add(old);
            if (null != event)
            {
                failReplies(replyFailure(event), reason);
            }
            if (State.CLOSED == state)
            {
                ringport.forget(this);
            }
            // Last: whatever the handler throws, the connection has let go of the endpoint already.
            if (null != event)
            {
                handler.onEvent(event, reason);
            }
        };
    }

    private ErrorCode replyFailure(final ConnectionEvent event)
    {
        return switch (event)
        {
            case INTERRUPTED -> ErrorCode.INTERRUPTED;
            case INVALIDATED -> null == invalidCode ? ErrorCode.CLOSED : invalidCode;
            default -> ErrorCode.CLOSED;
        };
    }

    private void drain(final Endpoint old)
    {
        while (!old.isPeerClosed())
        {
            // A read, like poll's: a handler that closes the connection from here has its teardown queued.
            inPoll = true;
            try
            {
                if (0 == old.pollNow(256))
                {
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                if (ex != handlerFailure)
                {
                    // What is left of a dead peer's ring cannot be trusted; the event after this says what happened.
                    return;
                }
                // The connection is on its way out: the handler's exception must not stop that.
                handlerFailure = null;
                reportFailure("the handler of the connection to '" + service + "'", ex);
            }
            finally
            {
                inPoll = false;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Report what a poll of this connection threw where nobody polls to hear it (the receiver thread, or a
     * connection's teardown), and go on delivering.
     *
     * @param what threw.
     * @param ex   the exception.
     */
    void reportFailure(final String what, final RuntimeException ex)
    {
        HandlerFailure.report(what, ex, "delivering on");
    }

    private void onRingMessage(final Message message)
    {
        if (message.isReply())
        {
            final CompletableFuture<Message> reply = replies.remove(message.correlationId());
            if (null != reply)
            {
                reply.complete(message.copy());
            }
            return;
        }
        if (State.CLOSED == state)
        {
            // Closed by the handler earlier in this read: what is left of the batch goes with the connection.
            return;
        }
        try
        {
            handler.onMessage(message);
        }
        catch (final RuntimeException ex)
        {
            handlerFailure = ex;
            throw ex;
        }
    }

    private void invalidate(final ErrorCode code, final String reason)
    {
        synchronized (this)
        {
            // Invalidated is final: the first reason found is the one every later send is told.
            if (State.CLOSED != state && State.INVALIDATED != state)
            {
                state = State.INVALIDATED;
                invalidCode = code;
                invalidReason = reason;
            }
        }
    }

    private void failReplies(final ErrorCode code, final String reason)
    {
        for (final Long correlationId : replies.keySet())
        {
            final CompletableFuture<Message> reply = replies.remove(correlationId);
            if (null != reply)
            {
                reply.completeExceptionally(new RingportException(code, reason));
            }
        }
    }

    private Endpoint connected()
    {
        final Endpoint current = endpoint;
        if (null != current && !current.isBroken())
        {
            return current;
        }
        return reconnect();
    }

    /** A send's way when there is no endpoint to write to, apart so that every send's check stays small. */
    private Endpoint reconnect()
    {
        if (!resumed && !inPoll)
        {
            // Invoker mode: what was queued goes first, before a refusal too: an invoker that only sends lets go of
            // the rings of an endpoint its last send found broken here, not at a poll that may never come. Outside
            // the lock, which the control thread takes to invalidate: handlers run here.
            poll(0);
        }
        return connect();
    }

    private synchronized Endpoint connect()
    {
        unmapRetired();
        if (State.CLOSED == state)
        {
            throw new RingportException(ErrorCode.CLOSED, "connection to '" + service + "' is closed");
        }
        if (State.INVALIDATED == state)
        {
            throw new RingportException(invalidCode, invalidReason);
        }
        final Endpoint current = endpoint;
        if (null != current && !current.isBroken())
        {
            return current;
        }

        final ControlMessage.Connected capability;
        try
        {
            capability = (ControlMessage.Connected)ringport.control().request(
                new ControlMessage.Connect(service), ctx.controlTimeout());
        }
        catch (final RingportException ex)
        {
            final ErrorCode code = ex.code();
            if (ErrorCode.UNKNOWN_SERVICE == code || ErrorCode.DENIED == code || ErrorCode.BAD_REQUEST == code)
            {
                invalidate(code, ex.getMessage());
                events.add(() -> handler.onEvent(ConnectionEvent.INVALIDATED, ex.getMessage()));
                wakePoller();
            }
            throw ex;
        }

        final long connectionId = capability.connectionId();
        final Endpoint fresh;
        try
        {
            fresh = Endpoint.map(connectionId, "service '" + service + "'", capability.c2sPath(),
                capability.s2cPath(), capability.token(), true, sink).batchWindow(ctx.batchWindow().toNanos());
        }
        catch (final RuntimeException ex)
        {
            ringport.tellDaemon(new ControlMessage.Release(connectionId));
            throw ex;
        }
        endpoint = fresh;
        state = State.CONNECTED;
        ringport.route(connectionId, this);
        // A poller asleep on its doorbells does not watch this new ring yet: let it look again.
        wakePoller();
        return fresh;
    }

    private void unmapRetired()
    {
        Endpoint old;
        while (null != (old = retired.poll()))
        {
            Linger.unmapTx(old);
        }
    }
}
