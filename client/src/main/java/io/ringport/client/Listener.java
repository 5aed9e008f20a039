package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingReader;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A checked-in service's listener: accepts the connections the daemon puts on the service's port and polls them.
 * <p>
 * {@link #run()} runs the duty cycle on the caller's thread until {@link #close()}; {@link #doWork()} runs one
 * cycle for callers that bring their own loop. Handlers of the listener and of its peers run on that thread.
 */
public final class Listener implements AutoCloseable
{
    private static final int PORT_POLL_LIMIT = 16;
    private static final int PEER_POLL_LIMIT = 64;

    private final Ringport ringport;
    private final String service;
    private final RingFile port;
    private final RingReader portReader;
    /** One handler for the life of the listener: a method reference made in the duty cycle allocates each time. */
    private final RecordHandler onPortRecord = this::onPortRecord;
    private final ArrayList<Peer> peers = new ArrayList<>();
    private final ArrayList<Peer> closing = new ArrayList<>();
    private final IdleStrategy idle;
    private final CompletableFuture<Void> checkedIn = new CompletableFuture<>();
    private Consumer<Peer> connectionHandler = Peer::close;
    private Consumer<String> terminationHandler = reason -> close();
    private volatile boolean closed;
    private volatile boolean running;
    private volatile String checkInFailure;
    private boolean firstCycleDone;
    /** A {@link #doWork()} cycle is on: a close from inside it (a handler) leaves the release to the cycle's end. */
    private boolean working;
    /** The thread that runs the cycles, once one has run: only it lets go of the rings. */
    private volatile Thread pollingThread;
    private boolean released;

    Listener(final Ringport ringport, final String service, final Path portPath)
    {
        this.ringport = ringport;
        this.service = service;
        this.port = RingFile.map(portPath, RingKind.PORT, null);
        this.portReader = new RingReader(port.ring(), portPath.toString());
        this.idle = ringport.context().pollingIdleStrategy(this::collect);
    }

    /**
     * The service name this listener checked in as.
     *
     * @return the name.
     */
    public String service()
    {
        return service;
    }

    /**
     * Set what to do with each new connection: typically set its event handler. If the handler throws, the
     * exception is printed and the connection closed (the client sees CLOSED); the listener serves on.
     *
     * @param handler called once per accepted connection, on the listener's thread.
     * @return this.
     */
    public Listener onConnection(final Consumer<Peer> handler)
    {
        this.connectionHandler = handler;
        return this;
    }

    /**
     * Set what to do when the daemon asks the service to exit (idle exit, stop, shutdown) or refused its check-in
     * (see {@link Ringport#checkIn()}); the default closes the listener so that {@link #run()} returns, and so does
     * a handler that throws (the exception is printed).
     *
     * @param handler called with the reason, on the listener's thread.
     * @return this.
     */
    public Listener onTermination(final Consumer<String> handler)
    {
        this.terminationHandler = handler;
        return this;
    }

    /**
     * How many connections are open.
     *
     * @return the number of peers.
     */
    public int peerCount()
    {
        return peers.size();
    }

    /**
     * Run the duty cycle on this thread until {@link #close()}.
     */
    public void run()
    {
        if (working)
        {
            throw new IllegalStateException("run() of the listener of '" + service + "' from inside its own cycle " +
                "(a handler): return from the handler instead");
        }
        running = true;
        try
        {
            final IdleStrategy idle = this.idle;
            while (!closed)
            {
                idle.idle(doWork());
            }
        }
        finally
        {
            running = false;
            release();
        }
    }

    /**
     * One duty cycle: accept new connections, deliver what arrived, retire closed peers.
     *
     * @return how much work was done; 0 when there was nothing.
     */
    public int doWork()
    {
        if (working)
        {
            // The reads under way have not stored how far they got: a nested cycle would deliver them again.
            throw new IllegalStateException("doWork() of the listener of '" + service + "' from inside its own cycle " +
                "(a handler): return from the handler instead");
        }
        final Thread current = Thread.currentThread();
        if (current != pollingThread)
        {
            pollingThread = current;
        }
        working = true;
        try
        {
            return work();
        }
        finally
        {
            working = false;
            if (closed && !running)
            {
                // Closed by a handler inside this cycle: the rings it was reading are let go now, not under it.
                release();
            }
        }
    }

    private int work()
    {
        int work = 0;
        final String failure = checkInFailure;
        if (null != failure)
        {
            checkInFailure = null; // set once, by the check-in thread
            System.err.println("ringport: " + service + ": " + failure);
            terminate(failure);
            work++;
        }
        if (!closed)
        {
            try
            {
                work += portReader.read(onPortRecord, PORT_POLL_LIMIT);
            }
            catch (final RingportException ex)
            {
                // The daemon's own ring is corrupt: serve no new connections; run() returns.
                System.err.println("ringport: " + service + ": port ring corrupt, closing the listener: " +
                    ex.getMessage());
                closed = true;
            }
        }
        work += pollPeers();
        if (!firstCycleDone)
        {
            firstCycleDone = true;
            ringport.firstCycleDone();
        }
        return work;
    }

    private int pollPeers()
    {
        int work = 0;
        final ArrayList<Peer> peers = this.peers;
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            final Peer peer = peers.get(i);
            try
            {
                work += peer.poll(PEER_POLL_LIMIT);
            }
            catch (final RingportException ex)
            {
                System.err.println("ringport: " + service + ": closing connection " + peer.connectionId() + ": " +
                    ex.getMessage());
                peer.deliver(ConnectionEvent.INVALIDATED, ex.getMessage());
                peer.close();
            }
        }
        if (!closing.isEmpty())
        {
            for (final Peer peer : closing)
            {
                peers.remove(peer);
                peer.unmap();
                ringport.tellDaemon(new ControlMessage.Release(peer.connectionId()));
            }
            work += closing.size();
            closing.clear();
        }
        return work;
    }

    /** The rings this listener reads, for its blocking wait strategy: the port and every peer's c2s ring. */
    private void collect(final DoorbellIdleStrategy into)
    {
        into.watch(port, portReader);
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            peers.get(i).watchRx(into);
        }
    }

    /**
     * Stop {@link #run()}, whose thread then closes every connection and the port; without run, close them now, or
     * when the current {@link #doWork()} cycle ends (a handler's close), or at the next cycle when another thread
     * closes a listener whose cycles the caller's own loop runs.
     */
    public void close()
    {
        closed = true;
        final Thread polling = pollingThread;
        if (!running && !working && (null == polling || Thread.currentThread() == polling))
        {
            release();
        }
        else
        {
            // A thread asleep on the doorbells would see the close only when its sleep ends.
            wake();
        }
    }

    /**
     * The daemon's answer to this service's check-in, which may still be on its way when {@link Ringport#checkIn()}
     * returns (see there): completes once the daemon has taken it, fails with the refusal.
     *
     * @return the check-in to come, or done.
     */
    public CompletableFuture<Void> checkedIn()
    {
        return checkedIn;
    }

    /** The daemon took the check-in (any thread). */
    void checkInDone()
    {
        checkedIn.complete(null);
    }

    /**
     * The check-in that ran alongside this listener failed (any thread).
     *
     * @param ex   why.
     * @param stop true when the daemon refused it: the listener's thread then ends the service.
     */
    void checkInFailed(final RingportException ex, final boolean stop)
    {
        if (stop)
        {
            checkInFailure = "check-in failed, stopping: " + ex.getMessage();
            wake();
        }
        else
        {
            System.err.println("ringport: " + service + ": check-in not answered, serving on: " + ex.getMessage());
        }
        checkedIn.completeExceptionally(ex);
    }

    /**
     * Wake the listener's thread if it sleeps on its doorbells (any thread): what it is to do now, not when its sleep
     * would have ended (a peer's send found the client's words broken, a close, a refused check-in) rings nothing.
     */
    void wake()
    {
        if (idle instanceof DoorbellIdleStrategy doorbell)
        {
            doorbell.wake();
        }
    }

    void onPeerClosed(final Peer peer)
    {
        closing.add(peer);
    }

    private void onPortRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
    {
        final PortRecord record = PortRecord.decode(typeId, buffer, offset, length);
        if (record instanceof PortRecord.Connect connect)
        {
            accept(connect);
        }
        else if (record instanceof PortRecord.Disconnect disconnect)
        {
            for (final Peer peer : peers)
            {
                if (peer.connectionId() == disconnect.connectionId())
                {
                    peer.clientGone();
                }
            }
        }
        else if (record instanceof PortRecord.TerminationImminent termination)
        {
            final String reason = switch (termination.reason())
            {
                case PortRecord.TerminationImminent.IDLE -> "idle exit";
                case PortRecord.TerminationImminent.STOP -> "stop requested";
                default -> "daemon shutting down";
            };
            for (final Peer peer : peers)
            {
                peer.deliver(ConnectionEvent.TERMINATION_IMMINENT, reason);
            }
            terminate(reason);
        }
    }

    /** Run the termination handler; if it throws, the termination still happens: the listener closes. */
    private void terminate(final String reason)
    {
        try
        {
            terminationHandler.accept(reason);
        }
        catch (final RuntimeException ex)
        {
            handlerFailed("the termination handler", ex, "closing the listener");
            close();
        }
    }

    /**
     * The service's own code threw on this thread: say what, where and what happens next (a handler is not the
     * ring's fault, and the other connections must not pay for it).
     */
    void handlerFailed(final String what, final RuntimeException ex, final String next)
    {
        HandlerFailure.report(service + ": " + what, ex, next);
    }

    private void accept(final PortRecord.Connect connect)
    {
        final Peer peer;
        try
        {
            final Ringport.Context ctx = ringport.context();
            peer = new Peer(this, connect, ctx.sendTimeoutNs(), ctx.sendIdleStrategy(), ctx.batchWindow().toNanos());
        }
        catch (final RingportException ex)
        {
            // The client let go before this instance came up, or the files are not what the daemon promised.
            if (ErrorCode.PROTOCOL_VIOLATION == ex.code())
            {
                System.err.println("ringport: " + service + ": refusing connection " + connect.connectionId() + ": " +
                    ex.getMessage());
            }
            ringport.tellDaemon(new ControlMessage.Release(connect.connectionId()));
            return;
        }
        peers.add(peer);
        try
        {
            connectionHandler.accept(peer);
        }
        catch (final RuntimeException ex)
        {
            // A peer its service never finished setting up would swallow every message: the client sees CLOSED.
            handlerFailed("the connection handler, for connection " + connect.connectionId() + ",", ex,
                "closing that connection");
            peer.close();
        }
    }

    private void release()
    {
        if (released)
        {
            return;
        }
        released = true;
        for (final Peer peer : peers)
        {
            if (!peer.isClosed())
            {
                peer.close();
            }
        }
        pollPeers();
        port.close();
    }
}
