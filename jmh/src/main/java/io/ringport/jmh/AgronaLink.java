package io.ringport.jmh;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;


/**
 * A bare pair of Agrona one-to-one rings over a mapped file ({@link AgronaLayout}): the standard shared-memory ring
 * of low-latency Java, and the record format Ringport's rings had until layout 2, with no framing, validation or API.
 */
final class AgronaLink implements Link
{
    private static final int MSG_TYPE_ID = 1;

    private final ScratchFile file;
    private final OneToOneRingBuffer out;
    private final OneToOneRingBuffer in;
    private final UnsafeBuffer payload;
    private final int size;
    private final Stall stall = new Stall("progress from the agrona partner");
    private final MessageHandler onEcho = (typeId, buffer, index, length) -> echoed = buffer.getLong(index);
    private final PartnerProcess partner;
    private long sequence;
    private long echoed;

    AgronaLink(final Role role, final int size)
    {
        this.size = Sizing.payloadLength(size);
        final int capacity = Sizing.ringCapacity(this.size);
        this.file = new ScratchFile("agrona-", "rings", AgronaLayout.fileLength(capacity));
        try
        {
            this.out = new OneToOneRingBuffer(AgronaLayout.c2s(file.mapped(), capacity));
            this.in = new OneToOneRingBuffer(AgronaLayout.s2c(file.mapped(), capacity));
            this.payload = new UnsafeBuffer(new byte[this.size]);
            this.partner = PartnerProcess.start(
                "agrona", role.id(), file.path().toString(), Integer.toString(capacity));
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
        payload.putLong(0, sequence);
        write();
        stall.reset();
        while (echoed != sequence)
        {
            if (0 == in.read(onEcho, 16))
            {
                stall.spin();
            }
        }
        return sequence;
    }

    public void send()
    {
        payload.putLong(0, ++sequence);
        write();
    }

    private void write()
    {
        if (!out.write(MSG_TYPE_ID, payload, 0, size))
        {
            stall.reset();
            while (!out.write(MSG_TYPE_ID, payload, 0, size))
            {
                stall.spin();
            }
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
            file.close();
        }
    }
}
