package io.ringport.jmh;

import io.ringport.core.wait.Futex;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The two doorbell candidates of the blocking wait strategy, side by side: a sleeping thread in one process woken by
 * another, and back. {@code futex}: the sleeper waits in {@code futex_waitv} on a word of a shared mapping and the
 * waker bumps the word and calls {@code FUTEX_WAKE} (through JNA, as Ringport does). {@code selector}: the sleeper
 * waits in {@code Selector.select} on a Unix domain socket and the waker writes one byte to it. Neither end spins,
 * so each round trip is two wake-ups; {@code idleMs} pauses both ends before each one, as in {@link WakeBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DoorbellBenchmark extends ForkedBenchmark
{
    /** Rings the partner's doorbell and sleeps until the partner rings back. */
    interface Bell extends AutoCloseable
    {
        long ringAndWait();

        void close();
    }

    /** The pause before each round trip. */
    @State(Scope.Thread)
    public static class Pause
    {
        /** How long both ends stay asleep before each round trip: 0 for back to back. */
        @Param({"0", "20"})
        public int idleMs;

        /**
         * Stay idle.
         *
         * @throws InterruptedException when interrupted.
         */
        @Setup(Level.Invocation)
        public void idle() throws InterruptedException
        {
            if (idleMs > 0)
            {
                Thread.sleep(idleMs);
            }
        }
    }

    /** A doorbell pair with a partner process. */
    @State(Scope.Thread)
    public static class Pair
    {
        /** The mechanism: {@code futex} or {@code selector}. */
        @Param({"futex", "selector"})
        public String doorbell;

        Bell bell;

        /** Start the partner. */
        @Setup(Level.Trial)
        public void open()
        {
            bell = "futex".equals(doorbell) ? new FutexBell() : new SelectorBell();
        }

        /** Stop it. */
        @TearDown(Level.Trial)
        public void close()
        {
            if (null != bell)
            {
                bell.close();
            }
        }
    }

    /**
     * One round trip of two doorbells.
     *
     * @param pause the idle pause.
     * @param pair  the doorbells.
     * @return the answer's sequence.
     */
    @Benchmark
    public long roundTrip(final Pause pause, final Pair pair)
    {
        return pair.bell.ringAndWait();
    }

    private static final class FutexBell implements Bell
    {
        private final ScratchFile file;
        private final UnsafeBuffer words;
        private final long pingAddress;
        private final long pongAddress;
        private final Futex.WaitList list = new Futex.WaitList();
        private final Stall stall = new Stall("futex doorbell from the partner");
        private final PartnerProcess partner;
        private int sequence;

        FutexBell()
        {
            if (!Futex.isAvailable())
            {
                throw new IllegalStateException("futex_waitv is not available here");
            }
            file = new ScratchFile("doorbell-", "bells", DoorbellLayout.FILE_LENGTH);
            words = file.buffer();
            pingAddress = words.addressOffset() + DoorbellLayout.PING_OFFSET;
            pongAddress = words.addressOffset() + DoorbellLayout.PONG_OFFSET;
            try
            {
                partner = PartnerProcess.start("doorbell", "echo", "futex", file.path().toString());
            }
            catch (final RuntimeException ex)
            {
                file.close();
                throw ex;
            }
        }

        public long ringAndWait()
        {
            final int sequence = ++this.sequence;
            words.putIntVolatile(DoorbellLayout.PING_OFFSET, sequence);
            Futex.wake(pingAddress);
            stall.reset();
            while (words.getIntVolatile(DoorbellLayout.PONG_OFFSET) != sequence)
            {
                list.clear();
                list.add(pongAddress, sequence - 1);
                Futex.waitAny(list, DoorbellLayout.MAX_SLEEP_NS);
                stall.spin();
            }
            return sequence;
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

    private static final class SelectorBell implements Bell
    {
        private final Scratch scratch = Scratch.create("doorbell-");
        private final ByteBuffer bell = ByteBuffer.allocateDirect(64);
        private final Stall stall = new Stall("socket doorbell from the partner");
        private final PartnerProcess partner;
        private final SocketChannel channel;
        private final Selector selector;
        private long sequence;

        SelectorBell()
        {
            final Path path = scratch.resolve("bell.sock");
            PartnerProcess started = null;
            SocketChannel channel = null;
            try
            {
                started = PartnerProcess.start("doorbell", "echo", "selector", path.toString());
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
                channel.configureBlocking(false);
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_READ);
            }
            catch (final IOException | RuntimeException ex)
            {
                closeQuietly(channel);
                if (null != started)
                {
                    started.close();
                }
                scratch.close();
                throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException)ex;
            }
            this.partner = started;
            this.channel = channel;
        }

        public long ringAndWait()
        {
            try
            {
                bell.clear().limit(1);
                channel.write(bell);
                stall.reset();
                while (true)
                {
                    selector.select(DoorbellLayout.MAX_SLEEP_NS / 1_000_000);
                    selector.selectedKeys().clear();
                    bell.clear();
                    final int read = channel.read(bell);
                    if (read > 0)
                    {
                        return ++sequence;
                    }
                    if (read < 0)
                    {
                        throw new IllegalStateException("doorbell partner closed its socket");
                    }
                    stall.spin();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        public void close()
        {
            try
            {
                closeQuietly(channel);
                closeQuietly(selector);
                partner.close();
            }
            finally
            {
                scratch.close();
            }
        }

        private static void closeQuietly(final AutoCloseable closeable)
        {
            try
            {
                if (null != closeable)
                {
                    closeable.close();
                }
            }
            catch (final Exception ex)
            {
                // Closing anyway.
            }
        }
    }
}
