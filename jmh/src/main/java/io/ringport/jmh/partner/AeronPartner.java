package io.ringport.jmh.partner;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.ringport.jmh.AeronChannels;
import io.ringport.jmh.Role;

/**
 * Echo or sink end of Aeron IPC, hosting the embedded media driver (shared threading mode, default back-off idle)
 * that both processes use.
 */
final class AeronPartner
{
    private AeronPartner()
    {
    }

    static void run(final Role role, final String[] args)
    {
        final String dir = args[0];
        final String channel = args[1];
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        try (MediaDriver driver = MediaDriver.launch(driverCtx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            final Subscription in = aeron.addSubscription(channel, AeronChannels.C2S_STREAM);
            final ExclusivePublication out = aeron.addExclusivePublication(channel, AeronChannels.S2C_STREAM);
            final FragmentHandler handler = Role.ECHO == role ?
                (buffer, offset, length, header) ->
                {
                    while (out.offer(buffer, offset, length) < 0)
                    {
                        if (!PartnerMain.running())
                        {
                            return;
                        }
                        Thread.onSpinWait();
                    }
                } :
                (buffer, offset, length, header) -> {};
            final FragmentAssembler assembler = new FragmentAssembler(handler);
            PartnerMain.ready("");
            while (PartnerMain.running())
            {
                if (0 == in.poll(assembler, 64))
                {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
