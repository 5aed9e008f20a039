package io.ringport.jmh.partner;

import io.ringport.jmh.Role;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Echo or sink end of a JDK socket, Unix domain or TCP loopback, with blocking I/O as a typical user writes it.
 */
final class SocketPartner
{
    private static final int BUFFER = 64 * 1024;

    private SocketPartner()
    {
    }

    static void run(final Role role, final String[] args) throws IOException
    {
        final boolean unix = "unix".equals(args[0]);
        try (ServerSocketChannel server = unix ?
            ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open())
        {
            if (unix)
            {
                server.bind(UnixDomainSocketAddress.of(args[1]));
                PartnerMain.ready("");
            }
            else
            {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                PartnerMain.ready(Integer.toString(((InetSocketAddress)server.getLocalAddress()).getPort()));
            }
            try (SocketChannel channel = server.accept())
            {
                if (!unix)
                {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                while (PartnerMain.running() && channel.read(buffer) >= 0)
                {
                    buffer.flip();
                    if (Role.ECHO == role)
                    {
                        while (buffer.hasRemaining())
                        {
                            channel.write(buffer);
                        }
                    }
                    buffer.clear();
                }
            }
        }
    }
}
