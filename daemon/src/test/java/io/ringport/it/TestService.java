package io.ringport.it;

import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Listener;
import io.ringport.client.Message;
import io.ringport.client.Peer;
import io.ringport.client.Ringport;
import io.ringport.client.WaitStrategy;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.RingportException;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The service the integration tests launch through the daemon. One-way messages carry a sequence number in their
 * first 8 bytes, which it checks for order; requests start with a command byte:
 * <ul>
 *   <li>{@code C}: reply with count, last in-order sequence and out-of-order count (3 longs);</li>
 *   <li>{@code P}: reply with the peer's uid, gid (ints) and pid (long), as the daemon vouched for them;</li>
 *   <li>{@code E}: reply with the rest of the request;</li>
 *   <li>{@code N}: reply, then send three one-way messages "n1", "n2", "n3";</li>
 *   <li>{@code Q}: close this connection from the service side, then try a send and write what it said into
 *   {@code send-after-close-<service>};</li>
 *   <li>{@code I}: ignore (no reply);</li>
 *   <li>{@code S}: reply, then stall the listener's thread for good, so that it reads neither its port nor rings;</li>
 *   <li>{@code K}: try to check in a second time and reply with the error that refused it;</li>
 *   <li>{@code T}: throw from the handler (no reply);</li>
 *   <li>{@code U}: claim room for the reply, then throw before committing it;</li>
 *   <li>{@code W}: run a listener cycle from inside the handler and reply with the error that refused it;</li>
 *   <li>{@code H}: reply, write a consumer position into its own port ring that is not one, then stall the
 *   listener's thread for good, as a broken service would;</li>
 *   <li>{@code F}: reply, then send one-way messages on this connection from a thread of its own until a send
 *   throws, and write what it said into {@code flood-<connection id>}: a worker still replying when its client
 *   leaves. {@code Fo} offers them (never waits), {@code Fs} sends them (waits for room, up to 10 s). When the
 *   failure is a {@code PROTOCOL_VIOLATION}, the worker then waits until the test writes
 *   {@code send-again-<connection id>} (once the connection is closed), sends once more, and writes what that said
 *   into {@code flood-then-<connection id>};</li>
 *   <li>{@code G}: reply, then send one-way messages on the listener's thread, from the handler, until a send
 *   throws, and write what it said into {@code flood-<connection id>}; then {@code Gv} throws that exception on,
 *   {@code Gx} throws another one;</li>
 *   <li>{@code L}: reply, then, from a thread of its own, close the listener once {@code close-listener} appears
 *   in {@code $RESULTS};</li>
 *   <li>{@code X}: exit the process at once with the status in the next byte.</li>
 * </ul>
 * When a connection closes it writes {@code closed-<connection id>} into {@code $RESULTS} with its counts; when it is
 * invalidated, {@code invalidated-<connection id>} with its counts and the reason.
 * With {@code HALT_AFTER_CHECK_IN=<status>} it exits with that status as soon as it has checked in; with
 * {@code BLOCK_SHUTDOWN=true} its JVM never finishes shutting down on SIGTERM, so only SIGKILL ends it; with
 * {@code IGNORE_TERMINATION=true} it serves on after TERMINATION_IMMINENT, until a signal ends it; with
 * {@code MAX_SLEEP=<ISO-8601 duration>} its listener sleeps that long at most ({@code Ringport.Context.maxSleep}); with
 * {@code THROW_ON_FIRST_CONNECTION=true} its connection handler throws for the first connection it is given.
 */
public final class TestService
{
    private TestService()
    {
    }

    /**
     * Entry point, launched by the daemon.
     *
     * @param args ignored.
     */
    public static void main(final String[] args)
    {
        final Path results = Path.of(System.getenv("RESULTS"));
        final String wait = System.getenv().getOrDefault("WAIT_STRATEGY", WaitStrategy.BLOCKING.name());
        final Ringport.Context ctx = new Ringport.Context().waitStrategy(WaitStrategy.valueOf(wait));
        final String maxSleep = System.getenv("MAX_SLEEP");
        if (null != maxSleep)
        {
            ctx.maxSleep(Duration.parse(maxSleep));
        }
        if (Boolean.parseBoolean(System.getenv("BLOCK_SHUTDOWN")))
        {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LockSupport.park()));
        }
        try (Ringport ringport = Ringport.open(ctx); Listener listener = ringport.checkIn())
        {
            final String haltStatus = System.getenv("HALT_AFTER_CHECK_IN");
            if (null != haltStatus)
            {
                listener.checkedIn().join();
                Runtime.getRuntime().halt(Integer.parseInt(haltStatus));
            }
            final boolean[] throwOnConnection = {Boolean.parseBoolean(System.getenv("THROW_ON_FIRST_CONNECTION"))};
            listener.onConnection(peer ->
            {
                if (throwOnConnection[0])
                {
                    throwOnConnection[0] = false;
                    throw new IllegalStateException("test service told to throw on connection " + peer.connectionId());
                }
                peer.setEventHandler(new Handler(listener, peer, results));
            });
            if (Boolean.parseBoolean(System.getenv("IGNORE_TERMINATION")))
            {
                listener.onTermination(reason -> {});
            }
            listener.run();
        }
    }

    private static final class Handler implements EventHandler
    {
        private final Listener listener;
        private final Peer peer;
        private final Path results;
        private final UnsafeBuffer reply = new UnsafeBuffer(new byte[64]);
        private long count;
        private long lastInOrder;
        private long outOfOrder;

        Handler(final Listener listener, final Peer peer, final Path results)
        {
            this.listener = listener;
            this.peer = peer;
            this.results = results;
        }

        public void onMessage(final Message message)
        {
            final DirectBuffer buffer = message.buffer();
            final int offset = message.offset();
            if (!message.isRequest())
            {
                count++;
                final long sequence = message.length() >= 8 ? buffer.getLong(offset) : -1;
                if (sequence == lastInOrder + 1)
                {
                    lastInOrder = sequence;
                }
                else
                {
                    outOfOrder++;
                }
                return;
            }
            switch (buffer.getByte(offset))
            {
                case 'C' ->
                {
                    reply.putLong(0, count);
                    reply.putLong(8, lastInOrder);
                    reply.putLong(16, outOfOrder);
                    peer.reply(message, reply, 0, 24);
                }
                case 'P' ->
                {
                    reply.putInt(0, peer.credentials().uid());
                    reply.putInt(4, peer.credentials().gid());
                    reply.putLong(8, peer.credentials().pid());
                    peer.reply(message, reply, 0, 16);
                }
                case 'E' -> peer.reply(message, buffer, offset + 1, message.length() - 1);
                case 'N' ->
                {
                    peer.reply(message, reply, 0, 0);
                    for (int i = 1; i <= 3; i++)
                    {
                        final byte[] note = ("n" + i).getBytes(UTF_8);
                        peer.send(new UnsafeBuffer(note), 0, note.length);
                    }
                }
                case 'Q' ->
                {
                    peer.close();
                    try
                    {
                        peer.send(reply, 0, 8);
                        write("send-after-close-" + System.getenv("RINGPORT_SERVICE"), "sent");
                    }
                    catch (final RingportException ex)
                    {
                        write("send-after-close-" + System.getenv("RINGPORT_SERVICE"), ex.code() + ": " +
                            ex.getMessage());
                    }
                }
                case 'S' ->
                {
                    peer.reply(message, reply, 0, 0);
                    while (true)
                    {
                        LockSupport.park();
                    }
                }
                case 'K' ->
                {
                    String refusal = "second check-in accepted";
                    try (Ringport again = Ringport.open())
                    {
                        again.checkIn().close();
                    }
                    catch (final RingportException ex)
                    {
                        refusal = ex.code() + ": " + ex.getMessage();
                    }
                    final byte[] text = refusal.getBytes(UTF_8);
                    peer.reply(message, new UnsafeBuffer(text), 0, text.length);
                }
                case 'H' ->
                {
                    peer.reply(message, reply, 0, 0);
                    try (RingFile port = RingFile.map(Path.of(System.getenv(RingportEnvironment.PORT)), RingKind.PORT,
                        null))
                    {
                        port.ring().putLongRelease(port.capacity() + RingDescriptor.HEAD_POSITION_OFFSET,
                            Long.MAX_VALUE / 2);
                        port.ring().putLongRelease(port.capacity() + RingDescriptor.CLEAN_POSITION_OFFSET,
                            Long.MAX_VALUE / 2);
                    }
                    while (true)
                    {
                        LockSupport.park();
                    }
                }
                case 'T' -> throw new IllegalStateException("test service told to throw");
                case 'W' ->
                {
                    String refusal = "nested cycle ran";
                    try
                    {
                        listener.doWork();
                    }
                    catch (final IllegalStateException ex)
                    {
                        refusal = ex.getMessage();
                    }
                    final byte[] text = refusal.getBytes(UTF_8);
                    peer.reply(message, new UnsafeBuffer(text), 0, text.length);
                }
                case 'U' ->
                {
                    peer.tryClaimReply(message, 8);
                    throw new IllegalStateException("test service told to throw with a claim open");
                }
                case 'F' ->
                {
                    final boolean waits = 's' == buffer.getByte(offset + 1);
                    peer.reply(message, reply, 0, 0);
                    final Thread worker = new Thread(() ->
                    {
                        final UnsafeBuffer note = new UnsafeBuffer(new byte[64]);
                        try
                        {
                            while (true)
                            {
                                if (waits)
                                {
                                    peer.send(note, 0, note.capacity());
                                }
                                else
                                {
                                    peer.offer(note, 0, note.capacity());
                                }
                            }
                        }
                        catch (final RingportException ex)
                        {
                            write("flood-" + peer.connectionId(), ex.code() + ": " + ex.getMessage());
                            if (ErrorCode.PROTOCOL_VIOLATION == ex.code())
                            {
                                write("flood-then-" + peer.connectionId(), sendOnceMore(note));
                            }
                        }
                    });
                    worker.setDaemon(true);
                    worker.start();
                }
                case 'G' ->
                {
                    final boolean throwsOn = 'v' == buffer.getByte(offset + 1);
                    peer.reply(message, reply, 0, 0);
                    final UnsafeBuffer note = new UnsafeBuffer(new byte[64]);
                    try
                    {
                        while (true)
                        {
                            peer.send(note, 0, note.capacity());
                        }
                    }
                    catch (final RingportException ex)
                    {
                        write("flood-" + peer.connectionId(), ex.code() + ": " + ex.getMessage());
                        if (throwsOn)
                        {
                            throw ex;
                        }
                        throw new IllegalStateException("test service told to throw after its send failed");
                    }
                }
                case 'L' ->
                {
                    peer.reply(message, reply, 0, 0);
                    final Thread closer = new Thread(() ->
                    {
                        if (awaitFile("close-listener"))
                        {
                            listener.close();
                        }
                    });
                    closer.setDaemon(true);
                    closer.start();
                }
                case 'X' -> Runtime.getRuntime().halt(buffer.getByte(offset + 1));
                default ->
                {
                    // 'I' and anything else: no reply, so the caller's timeout is what it tests.
                }
            }
        }

        public void onEvent(final ConnectionEvent event, final String reason)
        {
            if (ConnectionEvent.CLOSED == event)
            {
                write("closed-" + peer.connectionId(), counts());
            }
            else if (ConnectionEvent.INVALIDATED == event)
            {
                write("invalidated-" + peer.connectionId(), counts() + " reason=" + reason);
            }
        }

        private String counts()
        {
            return "count=" + count + " lastInOrder=" + lastInOrder + " outOfOrder=" + outOfOrder;
        }

        /** When the test says so (a worker's send waits for it, bounded), try one more send. */
        private String sendOnceMore(final UnsafeBuffer note)
        {
            if (!awaitFile("send-again-" + peer.connectionId()))
            {
                return "not told to send again within 180 s";
            }
            try
            {
                peer.send(note, 0, note.capacity());
                return "sent";
            }
            catch (final RingportException ex)
            {
                return ex.code() + ": " + ex.getMessage();
            }
        }

        /**
         * Wait for the test to make a file in {@code $RESULTS}, longer than any of the test's own waits: the test, not
         * this bound, decides when it has waited too long.
         *
         * @return false when it did not come within 180 s.
         */
        private boolean awaitFile(final String name)
        {
            final Path go = results.resolve(name);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(go))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return true;
        }

        private void write(final String name, final String content)
        {
            try
            {
                final Path tmp = results.resolve(name + ".tmp");
                Files.writeString(tmp, content, UTF_8);
                Files.move(tmp, results.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
