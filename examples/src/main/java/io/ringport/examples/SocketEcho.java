package io.ringport.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A socket echo partner for comparisons: accepts one connection on a Unix domain socket or on TCP loopback and
 * echoes every byte back until the peer closes. It prints one line, {@code ready}, once it listens.
 */
public final class SocketEcho
{
    private SocketEcho()
    {
    }

    /**
     * Entry point.
     *
     * @param args {@code unix PATH} or {@code tcp PORT} (0 picks a free port, printed as {@code ready PORT}).
     * @throws IOException when the socket fails.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2 || !("unix".equals(args[0]) || "tcp".equals(args[0])))
        {
            System.err.println("usage: SocketEcho unix PATH | tcp PORT");
            System.exit(2);
        }
        final boolean unix = "unix".equals(args[0]);
        try (ServerSocketChannel server = unix ?
            ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open())
        {
            if (unix)
            {
                server.bind(UnixDomainSocketAddress.of(args[1]));
                System.out.println("ready");
            }
            else
            {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])));
                System.out.println("ready " + ((InetSocketAddress)server.getLocalAddress()).getPort());
            }
            System.out.flush();
            try (SocketChannel channel = server.accept())
            {
                if (!unix)
                {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
                while (channel.read(buffer) >= 0)
                {
                    buffer.flip();
                    while (buffer.hasRemaining())
                    {
                        channel.write(buffer);
                    }
                    buffer.clear();
                }
            }
        }
        finally
        {
            if (unix)
            {
                Files.deleteIfExists(Path.of(args[1]));
            }
        }
    }
}
