package io.ringport.client.internal;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlCodec;
import io.ringport.core.control.ControlFrame;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlProtocol;
import io.ringport.core.control.FrameReader;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A process's control session with the daemon: requests with answers matched by id, and events pushed by the
 * daemon, read by one daemon thread. The session's end tells the daemon at once that this process is gone.
 */
public final class ControlSession implements AutoCloseable
{
    private final Path socketPath;
    private final SocketChannel channel;
    private final Map<Long, CompletableFuture<ControlMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final Consumer<ControlMessage> eventHandler;
    private final Thread reader;
    private volatile boolean closed;

    private ControlSession(
        final Path socketPath, final SocketChannel channel, final Consumer<ControlMessage> eventHandler)
    {
        this.socketPath = socketPath;
        this.channel = channel;
        this.eventHandler = eventHandler;
        this.reader = new Thread(this::readLoop, "ringport-control");
        this.reader.setDaemon(true);
    }

    /**
     * Connect to the daemon's socket in a home and say hello.
     *
     * @param home         the daemon's home.
     * @param timeout      for the hello exchange.
     * @param eventHandler receives events (INTERRUPTED, INVALIDATED) on the session's reader thread.
     * @return the open session.
     * @throws RingportException ({@link ErrorCode#DAEMON_UNREACHABLE}) when no daemon answers.
     */
    public static ControlSession open(
        final Path home, final Duration timeout, final Consumer<ControlMessage> eventHandler)
    {
        final Path socketPath = home.resolve(ControlProtocol.SOCKET_NAME);
        final SocketChannel channel;
        try
        {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                channel.connect(UnixDomainSocketAddress.of(socketPath));
            }
            catch (final IOException ex)
            {
                channel.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new RingportException(ErrorCode.DAEMON_UNREACHABLE, "ringport daemon not reachable at " + socketPath +
                " (" + ex.getMessage() + "); start one with './ringport daemon' or set RINGPORT_HOME", ex);
        }
        final ControlSession session = new ControlSession(socketPath, channel, eventHandler);
        session.reader.start();
        session.request(new ControlMessage.Hello(ProcessHandle.current().pid()), timeout);
        return session;
    }

    /**
     * Send a request and wait for its answer.
     *
     * @param request to send.
     * @param timeout how long to wait for the answer.
     * @return the answer; never an ERROR, which is thrown instead.
     * @throws RingportException with the daemon's error code and message, or when the session fails or times out.
     */
    public ControlMessage request(final ControlMessage request, final Duration timeout)
    {
        final long requestId = nextRequestId.getAndIncrement();
        final CompletableFuture<ControlMessage> answer = new CompletableFuture<>();
        pending.put(requestId, answer);
        try
        {
            write(ControlCodec.encode(requestId, request));
            final ControlMessage message = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (message instanceof ControlMessage.Error error)
            {
                throw new RingportException(ErrorCode.ofWire(error.code()), error.message());
            }
            return message;
        }
        catch (final TimeoutException ex)
        {
            throw new RingportException(ErrorCode.TIMED_OUT, "daemon at " + socketPath + " did not answer " +
                request.getClass().getSimpleName() + " within " + timeout.toMillis() + " ms");
        }
        catch (final ExecutionException ex)
        {
            throw unreachable(ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RingportException(ErrorCode.CLOSED, "interrupted while waiting for the daemon", ex);
        }
        finally
        {
            pending.remove(requestId);
        }
    }

    /**
     * Send a frame that needs no answer (the daemon's answer is read and dropped).
     *
     * @param message to send.
     */
    public void tell(final ControlMessage message)
    {
        try
        {
            write(ControlCodec.encode(0, message));
        }
        catch (final RuntimeException ex)
        {
            // A daemon that is gone has already released everything this session held.
        }
    }

    /**
     * Is the session still connected?
     *
     * @return false once the daemon closed it or {@link #close()} was called.
     */
    public boolean isOpen()
    {
        return !closed;
    }

    /**
     * Where the daemon listens.
     *
     * @return the socket path.
     */
    public Path socketPath()
    {
        return socketPath;
    }

    private synchronized void write(final ByteBuffer frame)
    {
        if (closed)
        {
            throw unreachable(null);
        }
        try
        {
            while (frame.hasRemaining())
            {
                channel.write(frame);
            }
        }
        catch (final IOException ex)
        {
            throw unreachable(ex);
        }
    }

    private RingportException unreachable(final Throwable cause)
    {
        return new RingportException(ErrorCode.DAEMON_UNREACHABLE, "ringport daemon at " + socketPath +
            " closed the session" + (null == cause ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    private void readLoop()
    {
        final FrameReader frames = new FrameReader();
        Throwable failure = null;
        try
        {
            while (!closed)
            {
                final ControlFrame frame = frames.readBlocking(channel);
                if (0 == frame.requestId())
                {
                    if (!(frame.message() instanceof ControlMessage.Ok || frame.message() instanceof ControlMessage.Error))
                    {
                        eventHandler.accept(frame.message());
                    }
                }
                else
                {
                    final CompletableFuture<ControlMessage> answer = pending.get(frame.requestId());
                    if (null != answer)
                    {
                        answer.complete(frame.message());
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = ex;
        }
        finally
        {
            closed = true;
            for (final CompletableFuture<ControlMessage> answer : pending.values())
            {
                answer.completeExceptionally(null == failure ? new IOException("session closed") : failure);
            }
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Already closed: nothing more to release.
            }
        }
    }

    /**
     * Close the session; the daemon releases what this process held through it.
     */
    public void close()
    {
        closed = true;
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing a socket the daemon already closed.
        }
    }
}
