package io.ringport.jmh.partner;

import io.ringport.jmh.RawLayout;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Echo end of the raw shared-memory ping-pong: waits for the ping flag to change, copies the payload to the pong
 * region and publishes the pong flag.
 */
final class RawPartner
{
    private RawPartner()
    {
    }

    static void run(final String[] args)
    {
        final int size = Integer.parseInt(args[1]);
        final int data = RawLayout.dataOffset(Boolean.parseBoolean(args[2]));
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(args[0]), "raw ping-pong");
        try
        {
            final UnsafeBuffer shm = new UnsafeBuffer(mapped);
            final int ping = RawLayout.pingOffset();
            final int pong = RawLayout.pongOffset(size);
            // The file is new, so the flags start at 0; the client may ping as soon as it reads the ready line.
            long last = 0;
            PartnerMain.ready("");
            while (PartnerMain.running())
            {
                final long sequence = shm.getLongVolatile(ping + RawLayout.FLAG_OFFSET);
                if (sequence != last)
                {
                    last = sequence;
                    shm.putBytes(pong + data, shm, ping + data, size);
                    shm.putLongRelease(pong + RawLayout.FLAG_OFFSET, sequence);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
