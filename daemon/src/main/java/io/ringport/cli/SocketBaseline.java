package io.ringport.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Round trips to a {@code SocketEcho} partner process over a Unix domain socket or TCP loopback, the transports
 * Ringport is compared with.
 */
final class SocketBaseline implements AutoCloseable
{
    private final Process partner;
    private final SocketChannel channel;
    private final Path socketFile;
    private final ByteBuffer buffer;

    private SocketBaseline(final Process partner, final SocketChannel channel, final Path socketFile, final int size)
    {
        this.partner = partner;
        this.channel = channel;
        this.socketFile = socketFile;
        this.buffer = ByteBuffer.allocateDirect(size);
    }

    /** Start the echo partner and connect to it; {@code socketFile} null means TCP loopback. */
    static SocketBaseline start(final Path socketFile, final int size) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.ringport.examples.SocketEcho"));
        command.addAll(null == socketFile ? List.of("tcp", "0") : List.of("unix", socketFile.toString()));
        final Process partner = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final BufferedReader lines = new BufferedReader(new InputStreamReader(partner.getInputStream(), UTF_8));
            final String ready = lines.readLine();
            if (null == ready || !ready.startsWith("ready"))
            {
                throw new IOException("socket echo partner did not start (said: " + ready + ")");
            }
            final SocketChannel channel;
            if (null == socketFile)
            {
                final int port = Integer.parseInt(ready.substring("ready ".length()).trim());
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
            partner.destroyForcibly();
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
            if (!partner.waitFor(5, TimeUnit.SECONDS))
            {
                partner.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            partner.destroyForcibly();
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
