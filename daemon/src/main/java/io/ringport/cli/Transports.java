package io.ringport.cli;

import io.ringport.examples.ShmEcho;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The round trips {@code demo} and {@code bench} compare, each against an echo partner in another process and
 * each warmed up with as many round trips as it then measures.
 */
final class Transports
{
    private Transports()
    {
    }

    static Latency ringport(final Pinger pinger, final int count) throws Exception
    {
        return Latency.measure(count, count, () -> pinger.roundTrip(Pinger.TIMEOUT_NS));
    }

    static Latency unixSocket(final Path dir, final int size, final int count) throws Exception
    {
        try (SocketBaseline baseline = SocketBaseline.start(dir.resolve("echo-" + ProcessHandle.current().pid() +
            ".sock"), size))
        {
            return Latency.measure(count / 4, count, baseline::roundTrip);
        }
    }

    static Latency tcp(final int size, final int count) throws Exception
    {
        try (SocketBaseline baseline = SocketBaseline.start(null, size))
        {
            return Latency.measure(count / 4, count, baseline::roundTrip);
        }
    }

    /** Raw cache-line ping-pong through a mapped file: the limit no shared-memory transport can beat. */
    static Latency sharedMemory(final Path dir, final int count) throws Exception
    {
        final Path file = dir.resolve("pingpong-" + ProcessHandle.current().pid() + ".shm");
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, ShmEcho.FILE_LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        try (Partner partner = Partner.start(ShmEcho.class.getName(), file.toString()))
        {
            final long[] sequence = {0};
            final Latency latency = Latency.measure(count, count, () ->
            {
                final long ping = ++sequence[0];
                final long start = System.nanoTime();
                buffer.putLongRelease(ShmEcho.PING_OFFSET, ping);
                while (buffer.getLongVolatile(ShmEcho.PONG_OFFSET) != ping)
                {
                    if (!partner.process.isAlive())
                    {
                        throw new IOException("shared-memory echo partner died");
                    }
                    Thread.onSpinWait();
                }
                return System.nanoTime() - start;
            });
            buffer.putLongRelease(ShmEcho.PING_OFFSET, ShmEcho.STOP);
            return latency;
        }
        finally
        {
            IoUtil.unmap(mapped);
            Files.deleteIfExists(file);
        }
    }

    static double ratio(final long numerator, final long denominator)
    {
        return (double)numerator / Math.max(1, denominator);
    }
}
