package io.ringport.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A JDK socket to a partner, Unix domain or TCP loopback (no Nagle), blocking as a typical user writes it. A round
 * trip of a large message writes in chunks and reads between them, so that neither end blocks on a full buffer.
 */
final class SocketLink implements Link
{
    private static final int CHUNK = 64 * 1024;
    private static final int WINDOW = 2 * CHUNK;

    private final Scratch scratch;
    private final PartnerProcess partner;
    private final SocketChannel channel;
    private final ByteBuffer out;
    private final ByteBuffer in;
    private final int size;
    private long sequence;

    SocketLink(final Role role, final int size, final boolean unix)
    {
        this.size = Sizing.payloadLength(size);
        this.out = ByteBuffer.allocateDirect(this.size);
        this.in = ByteBuffer.allocateDirect(this.size);
        this.scratch = Scratch.create(unix ? "uds-" : "tcp-");
        PartnerProcess partner = null;
        try
        {
            if (unix)
            {
                final Path path = scratch.resolve("echo.sock");
                partner = PartnerProcess.start("socket", role.id(), "unix", path.toString());
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
            }
            else
            {
                partner = PartnerProcess.start("socket", role.id(), "tcp");
                final int port = Integer.parseInt(partner.readyLine().substring("ready ".length()).trim());
                channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            this.partner = partner;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != partner)
            {
                partner.close();
            }
            scratch.close();
            throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException)ex;
        }
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        final ByteBuffer out = this.out;
        final ByteBuffer in = this.in;
        final int size = this.size;
        out.clear();
        out.putLong(0, sequence);
        in.clear();
        try
        {
            while (in.position() < size)
            {
                if (out.position() < size && out.position() - in.position() < WINDOW)
                {
                    out.limit(Math.min(size, out.position() + CHUNK));
                    channel.write(out);
                }
                else if (channel.read(in) < 0)
                {
                    throw new IllegalStateException("socket partner closed the connection");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return in.getLong(0);
    }

    public void send()
    {
        out.clear();
        out.putLong(0, ++sequence);
        try
        {
            while (out.hasRemaining())
            {
                channel.write(out);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // Closing anyway.
        }
        finally
        {
            partner.close();
            scratch.close();
        }
    }
}
