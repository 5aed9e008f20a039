package io.ringport.jmh;

import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;


/**
 * A bare pair of rings over a mapped file ({@link AgronaLayout}), with no framing, connection or API: Agrona's
 * one-to-one ring (the standard shared-memory ring of low-latency Java, and the record format Ringport's rings had
 * until layout 2), or Ringport's own {@link RingWriter} and {@link RingReader}, which shows what Ringport's layers
 * above the ring cost.
 */
final class AgronaLink implements Link
{
    private static final int MSG_TYPE_ID = 1;

    /** One ring each way. */
    private interface Rings
    {
        boolean write(UnsafeBuffer payload, int length);

        int read(int limit);
    }

    private final ScratchFile file;
    private final Rings rings;
    private final UnsafeBuffer payload;
    private final int size;
    private final Stall stall = new Stall("progress from the agrona partner");
    private final PartnerProcess partner;
    private long sequence;
    private long echoed;

    /**
     * @param ringport true for Ringport's ring, false for Agrona's.
     */
    AgronaLink(final Role role, final int size, final boolean ringport)
    {
        this.size = Sizing.payloadLength(size);
        final int capacity = Sizing.ringCapacity(this.size);
        this.file = new ScratchFile("agrona-", "rings", AgronaLayout.fileLength(capacity));
        try
        {
            final UnsafeBuffer c2s = AgronaLayout.c2s(file.mapped(), capacity, ringport);
            final UnsafeBuffer s2c = AgronaLayout.s2c(file.mapped(), capacity, ringport);
            this.rings = ringport ? ringportRings(c2s, s2c) : agronaRings(c2s, s2c);
            this.payload = new UnsafeBuffer(new byte[this.size]);
            this.partner = PartnerProcess.start(
                "agrona", role.id(), file.path().toString(), Integer.toString(capacity), ringport ? "ringport" : "agrona");
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    private Rings agronaRings(final UnsafeBuffer c2s, final UnsafeBuffer s2c)
    {
        final OneToOneRingBuffer out = new OneToOneRingBuffer(c2s);
        final OneToOneRingBuffer in = new OneToOneRingBuffer(s2c);
        final MessageHandler onEcho = (typeId, buffer, index, length) -> echoed = buffer.getLong(index);
        return new Rings()
        {
            public boolean write(final UnsafeBuffer payload, final int length)
            {
                return out.write(MSG_TYPE_ID, payload, 0, length);
            }

            public int read(final int limit)
            {
                return in.read(onEcho, limit);
            }
        };
    }

    private Rings ringportRings(final UnsafeBuffer c2s, final UnsafeBuffer s2c)
    {
        final RingWriter out = new RingWriter(c2s, "c2s");
        final RingReader in = new RingReader(s2c, "s2c");
        out.pairWith(in);
        final RecordHandler onEcho = (typeId, buffer, index, length) -> echoed = buffer.getLong(index);
        return new Rings()
        {
            public boolean write(final UnsafeBuffer payload, final int length)
            {
                return out.write(MSG_TYPE_ID, payload, 0, length);
            }

            public int read(final int limit)
            {
                return in.read(onEcho, limit);
            }
        };
    }

    public long roundTrip()
    {
        final long sequence = ++this.sequence;
        payload.putLong(0, sequence);
        write();
        stall.reset();
        while (echoed != sequence)
        {
            if (0 == rings.read(16))
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
        if (!rings.write(payload, size))
        {
            stall.reset();
            while (!rings.write(payload, size))
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
