package io.ringport.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Round trips to a {@code SocketEcho} partner process over a Unix domain socket or TCP loopback, the transports
 * Ringport is compared with.
 */
final class SocketBaseline implements AutoCloseable
{
    private final Partner partner;
    private final SocketChannel channel;
    private final Path socketFile;
    private final ByteBuffer buffer;

    private SocketBaseline(final Partner partner, final SocketChannel channel, final Path socketFile, final int size)
    {
        this.partner = partner;
        this.channel = channel;
        this.socketFile = socketFile;
        this.buffer = ByteBuffer.allocateDirect(size);
    }

    /** Start the echo partner and connect to it; {@code socketFile} null means TCP loopback. */
    static SocketBaseline start(final Path socketFile, final int size) throws IOException
    {
        final Partner partner = null == socketFile ?
            Partner.start("io.ringport.examples.SocketEcho", "tcp", "0") :
            Partner.start("io.ringport.examples.SocketEcho", "unix", socketFile.toString());
        try
        {
            final SocketChannel channel;
            if (null == socketFile)
            {
                final int port = Integer.parseInt(partner.ready.substring("ready ".length()).trim());
                channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            else
            {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socketFile));
            }
            return new SocketBaseline(partner, channel, socketFile, size);
        }
        catch (final IOException | RuntimeException ex)
        {
            partner.process.destroyForcibly();
            throw ex;
        }
    }

    /** One round trip of {@code size} bytes, in nanoseconds. */
    long roundTrip() throws IOException
    {
        final ByteBuffer buffer = this.buffer;
        final long start = System.nanoTime();
        buffer.clear();
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
        buffer.clear();
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("socket echo partner closed the connection");
            }
        }
        return System.nanoTime() - start;
    }

    /** {@inheritDoc} */
    public void close() throws IOException
    {
        try
        {
            channel.close();
            partner.close();
        }
        finally
        {
            if (null != socketFile)
            {
                Files.deleteIfExists(socketFile);
            }
        }
    }
}
