package io.ringport.examples;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit for comparisons: the partner of a raw shared-memory ping-pong. It spins on a word in a mapped
 * file and copies each new value into a word on another cache line, until the value is -1, its parent process is
 * gone, or nothing arrives for a minute.
 */
public final class ShmEcho
{
    /** Offset of the word the pinger writes. */
    public static final int PING_OFFSET = 0;
    /** Offset of the word this partner writes, two cache lines away. */
    public static final int PONG_OFFSET = 128;
    /** Length of the file both map. */
    public static final int FILE_LENGTH = 4096;
    /** The ping value that tells the partner to exit. */
    public static final long STOP = -1;

    private ShmEcho()
    {
    }

    /**
     * Entry point.
     *
     * @param args the path of the file to map, created by the pinger with {@link #FILE_LENGTH} bytes.
     * @throws IOException when the file cannot be mapped.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            System.err.println("usage: ShmEcho FILE");
            System.exit(2);
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        final ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        System.out.println("ready");
        System.out.flush();
        long last = buffer.getLongVolatile(PING_OFFSET);
        long idleSpins = 0;
        long lastHeard = System.nanoTime();
        while (true)
        {
            final long ping = buffer.getLongVolatile(PING_OFFSET);
            if (ping != last)
            {
                if (STOP == ping)
                {
                    break;
                }
                buffer.putLongRelease(PONG_OFFSET, ping);
                last = ping;
                idleSpins = 0;
                continue;
            }
            // Checked only after a million idle spins, so the echo path never pays for it.
            if (++idleSpins % 1_000_000 == 0)
            {
                final long now = System.nanoTime();
                if (idleSpins == 1_000_000)
                {
                    lastHeard = now;
                }
                if (null != parent && !parent.isAlive() || now - lastHeard > TimeUnit.MINUTES.toNanos(1))
                {
                    break;
                }
            }
            Thread.onSpinWait();
        }
        IoUtil.unmap(mapped);
    }
}
