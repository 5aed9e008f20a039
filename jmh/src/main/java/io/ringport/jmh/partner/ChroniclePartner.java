package io.ringport.jmh.partner;

import io.ringport.jmh.ChronicleQueues;
import io.ringport.jmh.Role;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Echo or sink end of Chronicle Queue: tails the client's queue and, as echo, appends each excerpt to its own; as
 * sink it publishes how many it consumed, for the client's flow-control window.
 */
final class ChroniclePartner
{
    private static final int PROGRESS_EVERY = 64;

    private ChroniclePartner()
    {
    }

    static void run(final Role role, final String[] args)
    {
        final MappedByteBuffer progressFile = IoUtil.mapExistingFile(new File(args[2]), "chronicle progress");
        try (SingleChronicleQueue c2s = ChronicleQueues.open(Path.of(args[0]), true);
            SingleChronicleQueue s2c = ChronicleQueues.open(Path.of(args[1]), false))
        {
            final UnsafeBuffer progress = new UnsafeBuffer(progressFile);
            final ExcerptTailer tailer = c2s.createTailer();
            final ExcerptAppender appender = s2c.createAppender();
            PartnerMain.ready("");
            long consumed = 0;
            while (PartnerMain.running())
            {
                try (DocumentContext in = tailer.readingDocument())
                {
                    if (!in.isPresent())
                    {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (Role.ECHO == role)
                    {
                        final Bytes<?> bytes = in.wire().bytes();
                        try (DocumentContext out = appender.writingDocument())
                        {
                            out.wire().bytes().write((BytesStore<?, ?>)bytes, bytes.readPosition(), bytes.readRemaining());
                        }
                    }
                    else if (0 == ++consumed % PROGRESS_EVERY)
                    {
                        progress.putLongRelease(0, consumed);
                    }
                }
            }
        }
        finally
        {
            IoUtil.unmap(progressFile);
        }
    }
}
