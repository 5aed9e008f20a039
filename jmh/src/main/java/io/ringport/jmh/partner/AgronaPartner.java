package io.ringport.jmh.partner;

import io.ringport.jmh.AgronaLayout;
import io.ringport.jmh.Role;
import org.agrona.IoUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Echo or sink end of a bare pair of Agrona one-to-one rings in one mapped file.
 */
final class AgronaPartner
{
    private AgronaPartner()
    {
    }

    static void run(final Role role, final String[] args)
    {
        final int capacity = Integer.parseInt(args[1]);
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(args[0]), "agrona rings");
        try
        {
            final OneToOneRingBuffer in = new OneToOneRingBuffer(AgronaLayout.c2s(mapped, capacity));
            final OneToOneRingBuffer out = new OneToOneRingBuffer(AgronaLayout.s2c(mapped, capacity));
            final MessageHandler handler = Role.ECHO == role ?
                (typeId, buffer, index, length) ->
                {
                    while (!out.write(typeId, buffer, index, length))
                    {
                        Thread.onSpinWait();
                    }
                } :
                (typeId, buffer, index, length) -> {};
            PartnerMain.ready("");
            while (PartnerMain.running())
            {
                if (0 == in.read(handler, 64))
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
