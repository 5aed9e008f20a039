package io.ringport.jmh;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Aeron IPC ({@code aeron:ipc}) to a partner that hosts the media driver: an exclusive publication each way, a
 * fragment assembler on each subscription (messages above the MTU are fragmented).
 */
final class AeronLink implements Link
{
    private final Scratch scratch;
    private final PartnerProcess partner;
    private final Aeron aeron;
    private final ExclusivePublication out;
    private final Subscription in;
    private final UnsafeBuffer payload;
    private final int size;
    private final Stall stall = new Stall("progress from the aeron partner");
    private final FragmentAssembler onEcho =
        new FragmentAssembler((buffer, offset, length, header) -> echoed = buffer.getLong(offset));
    private long sequence;
    private long echoed;

    AeronLink(final Role role, final int size)
    {
        this.size = Sizing.payloadLength(size);
        this.payload = new UnsafeBuffer(new byte[this.size]);
        this.scratch = Scratch.create("aeron-");
        PartnerProcess partner = null;
        Aeron aeron = null;
        try
        {
            final String dir = scratch.resolve("driver").toString();
            final String channel = AeronChannels.ipc(this.size);
            partner = PartnerProcess.start("aeron", role.id(), dir, channel);
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            this.out = aeron.addExclusivePublication(channel, AeronChannels.C2S_STREAM);
            this.in = aeron.addSubscription(channel, AeronChannels.S2C_STREAM);
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PartnerProcess.READY_TIMEOUT_MS);
            while (!out.isConnected() || (Role.ECHO == role && !in.isConnected()))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("aeron partner did not connect to " + channel);
                }
                Thread.onSpinWait();
            }
            this.partner = partner;
            this.aeron = aeron;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(partner);
            scratch.close();
            throw ex;
        }
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        payload.putLong(0, sequence);
        offer();
        stall.reset();
        while (echoed != sequence)
        {
            if (0 == in.poll(onEcho, 16))
            {
                stall.spin();
            }
        }
        return sequence;
    }

    public void send()
    {
        payload.putLong(0, ++sequence);
        offer();
    }

    private void offer()
    {
        if (out.offer(payload, 0, size) < 0)
        {
            stall.reset();
            while (out.offer(payload, 0, size) < 0)
            {
                stall.spin();
            }
        }
    }

    public void close()
    {
        try
        {
            CloseHelper.quietClose(aeron);
            partner.close();
        }
        finally
        {
            scratch.close();
        }
    }
}
