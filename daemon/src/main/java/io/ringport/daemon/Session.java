package io.ringport.daemon;

import io.ringport.core.control.ControlCodec;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.FrameReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * One process's control session with the daemon: its socket, its credentials and what it holds.
 */
final class Session
{
    final SocketChannel channel;
    final SelectionKey key;
    final FrameReader reader = new FrameReader();
    final long id;
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();

    PeerCredentials credentials;
    /** The service this session checked in as, or null for a client. */
    ServiceEntry checkedIn;
    /** Connections this session opened as a client. */
    final Set<ConnectionEntry> connections = new HashSet<>();
    boolean closed;

    Session(final long id, final SocketChannel channel, final SelectionKey key)
    {
        this.id = id;
        this.channel = channel;
        this.key = key;
    }

    /** Queue a frame and write what the socket takes now; the rest goes when it is writable. */
    void send(final long requestId, final ControlMessage message) throws IOException
    {
        if (closed)
        {
            return;
        }
        outbound.add(ControlCodec.encode(requestId, message));
        flush();
    }

    void flush() throws IOException
    {
        while (!outbound.isEmpty())
        {
            final ByteBuffer head = outbound.peek();
            channel.write(head);
            if (head.hasRemaining())
            {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            outbound.poll();
        }
        if (key.isValid())
        {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Try to deliver what is queued within a short bound, for the last frames before the daemon exits. */
    void drain(final long deadlineNs) throws IOException
    {
        while (!outbound.isEmpty() && System.nanoTime() < deadlineNs)
        {
            flush();
            Thread.onSpinWait();
        }
    }

    String describe()
    {
        return null == credentials ? "session " + id : "session " + id + " (pid " + credentials.pid() + ")";
    }
}
