package io.ringport.client;

import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import io.ringport.jmh.ForkedBenchmark;
import io.ringport.jmh.Scratch;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
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
import java.util.concurrent.TimeUnit;

/**
 * What Ringport's layers above the ring cost per message, on one thread: both ends of a connection in this process
 * over real ring files, so that no cache line crosses a core and the figures are instruction paths alone. In the
 * package of the client to reach its {@link Endpoint}s (the framing, counting and wake-up checks of every send and
 * poll); the connection and listener objects above them add their polling loops, which {@code PollBenchmark}
 * measures.
 * <ul>
 *     <li>{@code oneWay}: send one message and read it at the other end, through the ring (a stream never moves the
 *     acknowledgement, so it stays out of the mailbox).</li>
 *     <li>{@code exchange}: send one message, the other end's handler answers it, read the answer: a round trip's
 *     instructions, through the mailbox for messages of up to 40 bytes.</li>
 * </ul>
 * Each against the same on a bare pair of {@link RingWriter} and {@link RingReader}. The endpoints' batch window is
 * off: an exchange never pauses anyway, and a one-way reader that paused would measure the pause.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LayerBenchmark extends ForkedBenchmark
{
    private static final int CAPACITY = 1024 * 1024;
    private static final int TYPE = 1;
    private static final byte[] TOKEN = new byte[16];
    private static final IdleStrategy SPIN = new BusySpinIdleStrategy();

    /** Two ring files and the two ends over them, as a client and its service have them. */
    @State(Scope.Thread)
    public static class Pair
    {
        /** Message size in bytes. */
        @Param({"32", "64"})
        public int size;

        private Scratch dir;
        private RingFile c2s;
        private RingFile s2c;
        private RingFile clientRx;
        private RingFile serviceTx;
        private RingFile serviceRx;
        private Endpoint client;
        private Endpoint service;
        private RingWriter clientOut;
        private RingReader clientIn;
        private RingWriter serviceOut;
        private RingReader serviceIn;
        private UnsafeBuffer payload;
        private long taken;
        private boolean echo;
        private final RecordHandler echoRecord = this::echoRecord;
        private final RecordHandler takeRecord = (typeId, buffer, offset, length) -> taken += buffer.getLong(offset);

        /** Create the files, map them at both ends, pair each end's writer with its reader. */
        @Setup(Level.Trial)
        public void open()
        {
            payload = new UnsafeBuffer(new byte[size]);
            dir = Scratch.create("layers-");
            try
            {
                c2s = RingFile.create(dir.dir(), RingKind.C2S, CAPACITY, CAPACITY, 1, TOKEN);
                s2c = RingFile.create(dir.dir(), RingKind.S2C, CAPACITY, CAPACITY, 1, TOKEN);
                clientRx = RingFile.map(s2c.path(), RingKind.S2C, TOKEN);
                serviceTx = RingFile.map(s2c.path(), RingKind.S2C, TOKEN);
                serviceRx = RingFile.map(c2s.path(), RingKind.C2S, TOKEN);
                client = new Endpoint(1, "client", c2s, clientRx, sink(false));
                service = new Endpoint(1, "service", serviceTx, serviceRx, sink(true));
                // The bare rings: the same ring regions, used only by the bare benchmarks (each trial one of them).
                clientOut = new RingWriter(c2s.ring(), "c2s");
                clientIn = new RingReader(clientRx.ring(), "s2c");
                clientOut.pairWith(clientIn);
                serviceOut = new RingWriter(serviceTx.ring(), "s2c");
                serviceIn = new RingReader(serviceRx.ring(), "c2s");
                serviceOut.pairWith(serviceIn);
            }
            catch (final IOException | RuntimeException ex)
            {
                close();
                throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException)ex;
            }
        }

        private Endpoint.Sink sink(final boolean answers)
        {
            return new Endpoint.Sink()
            {
                public void onMessage(final Message message)
                {
                    if (answers && echo)
                    {
                        service.send(MessageDescriptor.KIND_ONE_WAY, 0, message.buffer(), message.offset(),
                            message.length(), TimeUnit.SECONDS.toNanos(10), SPIN);
                    }
                    else
                    {
                        taken += message.buffer().getLong(message.offset());
                    }
                }

                public void onPeerClosed(final Endpoint endpoint)
                {
                }
            };
        }

        private void echoRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
        {
            if (!serviceOut.write(TYPE, buffer, offset, length))
            {
                throw new IllegalStateException("no room for the answer");
            }
        }

        /** Unmap and remove the files. */
        @TearDown(Level.Trial)
        public void close()
        {
            CloseHelper.quietCloseAll(c2s, s2c, clientRx, serviceTx, serviceRx);
            if (null != dir)
            {
                dir.close();
            }
        }
    }

    /**
     * One message through the endpoints' framing, counting and wake-up checks.
     *
     * @param pair the two ends.
     * @return what the reader took, so nothing is left for the JIT to drop.
     */
    @Benchmark
    public long oneWay(final Pair pair)
    {
        pair.echo = false;
        pair.payload.putLong(0, pair.taken + 1);
        if (!pair.client.offer(MessageDescriptor.KIND_ONE_WAY, 0, pair.payload, 0, pair.size) ||
            1 != pair.service.poll(16))
        {
            throw new IllegalStateException("the message did not go through");
        }
        return pair.taken;
    }

    /**
     * One message through the bare rings.
     *
     * @param pair the two ends.
     * @return what the reader took.
     */
    @Benchmark
    public long oneWayBare(final Pair pair)
    {
        pair.payload.putLong(0, pair.taken + 1);
        if (!pair.clientOut.write(TYPE, pair.payload, 0, pair.size) || 1 != pair.serviceIn.read(pair.takeRecord, 16))
        {
            throw new IllegalStateException("the message did not go through");
        }
        return pair.taken;
    }

    /**
     * A round trip's instructions through the endpoints: send, the other end answers in its handler, read the answer.
     *
     * @param pair the two ends.
     * @return what the client took.
     */
    @Benchmark
    public long exchange(final Pair pair)
    {
        pair.echo = true;
        pair.payload.putLong(0, pair.taken + 1);
        if (!pair.client.offer(MessageDescriptor.KIND_ONE_WAY, 0, pair.payload, 0, pair.size) ||
            1 != pair.service.poll(16) || 1 != pair.client.poll(16))
        {
            throw new IllegalStateException("the exchange did not go through");
        }
        return pair.taken;
    }

    /**
     * The same exchange through the bare rings.
     *
     * @param pair the two ends.
     * @return what the client took.
     */
    @Benchmark
    public long exchangeBare(final Pair pair)
    {
        pair.payload.putLong(0, pair.taken + 1);
        if (!pair.clientOut.write(TYPE, pair.payload, 0, pair.size) || 1 != pair.serviceIn.read(pair.echoRecord, 16) ||
            1 != pair.clientIn.read(pair.takeRecord, 16))
        {
            throw new IllegalStateException("the exchange did not go through");
        }
        return pair.taken;
    }
}
