package io.ringport.jmh;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The physical limit: two processes spinning on a flag in a mapped file, the payload beside the flag
 * ({@link RawLayout}). Round trips only: it is not a transport that queues.
 */
final class RawLink implements Link
{
    private final Scratch scratch;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer shm;
    private final UnsafeBuffer payload;
    private final int size;
    private final int ping;
    private final int pong;
    private final Stall stall = new Stall("echo from the raw ping-pong partner");
    private final PartnerProcess partner;
    private long sequence;

    RawLink(final int size)
    {
        this.size = Sizing.payloadLength(size);
        this.scratch = Scratch.create("raw-");
        MappedByteBuffer mapped = null;
        try
        {
            final Path file = scratch.resolve("pingpong");
            mapped = IoUtil.mapNewFile(file.toFile(), RawLayout.fileLength(this.size));
            this.mapped = mapped;
            this.shm = new UnsafeBuffer(mapped);
            this.payload = new UnsafeBuffer(new byte[this.size]);
            this.ping = RawLayout.pingOffset();
            this.pong = RawLayout.pongOffset(this.size);
            this.partner = PartnerProcess.start("raw", "echo", file.toString(), Integer.toString(this.size));
        }
        catch (final RuntimeException ex)
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            scratch.close();
            throw ex;
        }
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        final UnsafeBuffer shm = this.shm;
        payload.putLong(0, sequence);
        shm.putBytes(ping + RawLayout.DATA_OFFSET, payload, 0, size);
        shm.putLongRelease(ping + RawLayout.FLAG_OFFSET, sequence);
        stall.reset();
        final int pongFlag = pong + RawLayout.FLAG_OFFSET;
        while (shm.getLongVolatile(pongFlag) != sequence)
        {
            stall.spin();
        }
        return sequence;
    }

    public void send()
    {
        throw new UnsupportedOperationException("the raw ping-pong has no queue: round trips only");
    }

    public void close()
    {
        try
        {
            partner.close();
        }
        finally
        {
            IoUtil.unmap(mapped);
            scratch.close();
        }
    }
}
