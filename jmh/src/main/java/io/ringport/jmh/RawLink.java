package io.ringport.jmh;

import org.agrona.concurrent.UnsafeBuffer;


/**
 * The physical limit: two processes spinning on a flag in a mapped file, the payload beside the flag
 * ({@link RawLayout}), or on the next cache line, which shows what a second line per hop costs. Round trips only: it
 * is not a transport that queues.
 */
final class RawLink implements Link
{
    private final ScratchFile file;
    private final UnsafeBuffer shm;
    private final UnsafeBuffer payload;
    private final int size;
    private final int ping;
    private final int pong;
    private final int data;
    private final Stall stall = new Stall("echo from the raw ping-pong partner");
    private final PartnerProcess partner;
    private long sequence;

    /**
     * @param size  of the payload.
     * @param apart true for the payload on the line after the flag's.
     */
    RawLink(final int size, final boolean apart)
    {
        this.size = Sizing.payloadLength(size);
        this.file = new ScratchFile("raw-", "pingpong", RawLayout.fileLength(this.size));
        this.shm = file.buffer();
        this.payload = new UnsafeBuffer(new byte[this.size]);
        this.ping = RawLayout.pingOffset();
        this.pong = RawLayout.pongOffset(this.size);
        this.data = RawLayout.dataOffset(apart);
        try
        {
            this.partner = PartnerProcess.start("raw", "echo", file.path().toString(), Integer.toString(this.size),
                Boolean.toString(apart));
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        final UnsafeBuffer shm = this.shm;
        payload.putLong(0, sequence);
        shm.putBytes(ping + data, payload, 0, size);
        shm.putLongRelease(ping + RawLayout.FLAG_OFFSET, sequence);
        stall.reset();
        final int pongFlag = pong + RawLayout.FLAG_OFFSET;
        while (shm.getLongVolatile(pongFlag) != sequence)
        {
            stall.spin();
        }
        // Read the echo as every other transport's client does: with the payload on a line of its own, both hops pay
        // for the second line.
        shm.getBytes(pong + data, payload, 0, size);
        if (payload.getLong(0) != sequence)
        {
            throw new IllegalStateException("raw ping-pong echoed " + payload.getLong(0) + " for " + sequence);
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
            file.close();
        }
    }
}
