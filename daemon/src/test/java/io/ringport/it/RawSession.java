package io.ringport.it;

import io.ringport.core.control.ControlCodec;
import io.ringport.core.control.ControlFrame;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.FrameReader;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A control session spoken by hand, to send the daemon what a well-behaved library never would.
 */
final class RawSession implements AutoCloseable
{
    final SocketChannel channel;
    private final FrameReader reader = new FrameReader();
    private long nextRequestId = 1;

    RawSession(final Path home) throws IOException
    {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(home.resolve("bootstrap.sock")));
    }

    RawSession hello() throws IOException
    {
        final ControlMessage answer = call(new ControlMessage.Hello(ProcessHandle.current().pid()));
        if (!(answer instanceof ControlMessage.HelloOk))
        {
            throw new IllegalStateException("HELLO answered with " + answer);
        }
        return this;
    }

    ControlMessage call(final ControlMessage request) throws IOException
    {
        write(ControlCodec.encode(nextRequestId++, request));
        final ControlFrame frame = reader.readBlocking(channel);
        return frame.message();
    }

    void write(final ByteBuffer bytes) throws IOException
    {
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
    }

    /** Read until the daemon closes the session; true when it did (end of stream or reset) before the deadline. */
    boolean closedByDaemon() throws IOException
    {
        final ByteBuffer sink = ByteBuffer.allocate(4096);
        final long deadline = System.nanoTime() + TestDaemon.DEADLINE.toNanos();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open())
        {
            channel.register(selector, SelectionKey.OP_READ);
            while (System.nanoTime() - deadline < 0)
            {
                selector.select(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
                selector.selectedKeys().clear();
                if (channel.read(sink.clear()) < 0)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** {@inheritDoc} */
    public void close() throws IOException
    {
        channel.close();
    }
}
