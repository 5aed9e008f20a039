package io.ringport.jmh.partner;

import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import io.ringport.jmh.AgronaLayout;
import io.ringport.jmh.Role;
import org.agrona.IoUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.function.IntSupplier;

/**
 * Echo or sink end of a bare pair of rings in one mapped file: Agrona's one-to-one rings, or Ringport's
 * {@link RingWriter} and {@link RingReader}.
 */
final class AgronaPartner
{
    private AgronaPartner()
    {
    }

    static void run(final Role role, final String[] args)
    {
        final int capacity = Integer.parseInt(args[1]);
        final boolean ringport = "ringport".equals(args[2]);
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(args[0]), "rings");
        try
        {
            final UnsafeBuffer c2s = AgronaLayout.c2s(mapped, capacity, ringport);
            final UnsafeBuffer s2c = AgronaLayout.s2c(mapped, capacity, ringport);
            PartnerMain.ready("");
            if (ringport)
            {
                runRingport(role, new RingReader(c2s, "c2s"), new RingWriter(s2c, "s2c"));
            }
            else
            {
                runAgrona(role, new OneToOneRingBuffer(c2s), new OneToOneRingBuffer(s2c));
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static void runAgrona(final Role role, final OneToOneRingBuffer in, final OneToOneRingBuffer out)
    {
        final MessageHandler handler = Role.ECHO == role ?
            (typeId, buffer, index, length) ->
            {
                while (!out.write(typeId, buffer, index, length))
                {
                    Thread.onSpinWait();
                }
            } :
            (typeId, buffer, index, length) -> {};
        spin(() -> in.read(handler, 64));
    }

    private static void runRingport(final Role role, final RingReader in, final RingWriter out)
    {
        out.pairWith(in);
        final RecordHandler handler = Role.ECHO == role ?
            (typeId, buffer, index, length) ->
            {
                while (!out.write(typeId, buffer, index, length))
                {
                    Thread.onSpinWait();
                }
            } :
            (typeId, buffer, index, length) -> {};
        spin(() -> in.read(handler, 64));
    }

    private static void spin(final IntSupplier poll)
    {
        while (PartnerMain.running())
        {
            if (0 == poll.getAsInt())
            {
                Thread.onSpinWait();
            }
        }
    }
}
