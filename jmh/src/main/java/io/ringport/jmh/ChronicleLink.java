package io.ringport.jmh;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Chronicle Queue, one queue each way ({@link ChronicleQueues}). A queue is unbounded, so for one-way throughput the
 * sink reports its progress in a small mapped file and the sender keeps at most a ring's worth of messages
 * ({@link Sizing#ringCapacity}) unread, as the ring-based transports must.
 */
final class ChronicleLink implements Link
{
    private static final int FLOW_CHECK_EVERY = 64;

    private final Scratch scratch;
    private final MappedByteBuffer progressFile;
    private final UnsafeBuffer progress;
    private final SingleChronicleQueue c2s;
    private final SingleChronicleQueue s2c;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final Bytes<?> payload;
    private final int size;
    private final long window;
    private final Stall stall = new Stall("progress from the chronicle partner");
    private final PartnerProcess partner;
    private long sequence;

    ChronicleLink(final Role role, final int size)
    {
        this.size = Sizing.payloadLength(size);
        this.window = Math.max(1, Sizing.ringCapacity(this.size) / (this.size + 8));
        this.scratch = Scratch.create("chronicle-");
        final Path c2sDir = scratch.resolve("c2s");
        final Path s2cDir = scratch.resolve("s2c");
        final Path progressPath = scratch.resolve("progress");
        MappedByteBuffer progressFile = null;
        SingleChronicleQueue c2s = null;
        SingleChronicleQueue s2c = null;
        try
        {
            progressFile = IoUtil.mapNewFile(progressPath.toFile(), 4096);
            this.progressFile = progressFile;
            this.progress = new UnsafeBuffer(progressFile);
            c2s = ChronicleQueues.open(c2sDir, false);
            s2c = ChronicleQueues.open(s2cDir, true);
            this.c2s = c2s;
            this.s2c = s2c;
            this.appender = c2s.createAppender();
            this.tailer = s2c.createTailer();
            this.payload = Bytes.allocateDirect(this.size);
            payload.writeSkip(this.size);
            this.partner = PartnerProcess.start("chronicle", role.id(), c2sDir.toString(), s2cDir.toString(),
                progressPath.toString());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(c2s, s2c);
            if (null != progressFile)
            {
                IoUtil.unmap(progressFile);
            }
            scratch.close();
            throw ex;
        }
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        write(sequence);
        stall.reset();
        final ExcerptTailer tailer = this.tailer;
        while (true)
        {
            try (DocumentContext in = tailer.readingDocument())
            {
                if (in.isPresent())
                {
                    final Bytes<?> bytes = in.wire().bytes();
                    if (bytes.readLong(bytes.readPosition()) == sequence)
                    {
                        return sequence;
                    }
                    continue;
                }
            }
            stall.spin();
        }
    }

    public void send()
    {
        final long sequence = ++this.sequence;
        if (0 == sequence % FLOW_CHECK_EVERY)
        {
            stall.reset();
            while (sequence - progress.getLongVolatile(0) > window)
            {
                stall.spin();
            }
        }
        write(sequence);
    }

    private void write(final long sequence)
    {
        payload.writeLong(0, sequence);
        try (DocumentContext out = appender.writingDocument())
        {
            out.wire().bytes().write((BytesStore<?, ?>)payload, 0L, size);
        }
    }

    public void close()
    {
        try
        {
            partner.close();
        }
        finally
        {
            CloseHelper.quietCloseAll(appender, tailer, c2s, s2c);
            payload.releaseLast();
            IoUtil.unmap(progressFile);
            scratch.close();
        }
    }
}
