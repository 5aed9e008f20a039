package io.ringport.jmh.partner;

import io.ringport.core.wait.Futex;
import io.ringport.jmh.DoorbellLayout;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The answering end of a doorbell pair: sleeps until its doorbell rings, then rings the benchmark's. Nothing else
 * happens in between, so a round trip is two wake-ups of a sleeping thread by the mechanism under test.
 * <pre>
 *   futex    FILE   sleeps in futex_waitv on the ping word, bumps and FUTEX_WAKEs the pong word
 *   selector PATH   sleeps in Selector.select on a Unix socket, writes one byte back
 * </pre>
 */
final class DoorbellPartner
{
    private DoorbellPartner()
    {
    }

    static void run(final String[] args) throws IOException
    {
        switch (args[0])
        {
            case "futex" -> futex(args[1]);
            case "selector" -> selector(args[1]);
            default -> throw new IllegalArgumentException("unknown doorbell: " + args[0]);
        }
    }

    private static void futex(final String file)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(file), "doorbell pair");
        try
        {
            final UnsafeBuffer words = new UnsafeBuffer(mapped);
            final long pingAddress = words.addressOffset() + DoorbellLayout.PING_OFFSET;
            final long pongAddress = words.addressOffset() + DoorbellLayout.PONG_OFFSET;
            final Futex.WaitList list = new Futex.WaitList();
            int seen = 0;
            PartnerMain.ready("");
            while (PartnerMain.running())
            {
                final int ping = words.getIntVolatile(DoorbellLayout.PING_OFFSET);
                if (ping != seen)
                {
                    seen = ping;
                    words.putIntVolatile(DoorbellLayout.PONG_OFFSET, ping);
                    Futex.wake(pongAddress);
                }
                else
                {
                    list.clear();
                    list.add(pingAddress, seen);
                    Futex.waitAny(list, DoorbellLayout.MAX_SLEEP_NS);
                }
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static void selector(final String path) throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Selector selector = Selector.open())
        {
            server.bind(UnixDomainSocketAddress.of(path));
            PartnerMain.ready("");
            try (SocketChannel channel = server.accept())
            {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                final ByteBuffer bell = ByteBuffer.allocateDirect(64);
                final long maxSleepMs = DoorbellLayout.MAX_SLEEP_NS / 1_000_000;
                while (PartnerMain.running())
                {
                    selector.select(maxSleepMs);
                    selector.selectedKeys().clear();
                    bell.clear();
                    final int read = channel.read(bell);
                    if (read < 0)
                    {
                        return;
                    }
                    for (int i = 0; i < read; i++)
                    {
                        bell.clear().limit(1);
                        channel.write(bell);
                    }
                }
            }
        }
    }
}
