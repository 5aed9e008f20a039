package io.ringport.jmh;

import io.ringport.client.Connection;
import io.ringport.client.Ringport;
import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingReader;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One look at an empty ring, layer by layer, on one thread: what a polling loop pays per turn before it sees the
 * next message. A loop reacts to a message about half a turn after it lands, so on a round trip each side's turn
 * shows up about half over. Nothing here crosses a core: these are instruction paths, not cache transfers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PollBenchmark extends ForkedBenchmark
{
    private static final RecordHandler IGNORE = (typeId, buffer, index, length) -> {};

    /** A bare pair of Ringport rings over a mapped file, read by its reader: the floor of a poll. */
    @State(Scope.Thread)
    public static class Ring
    {
        private ScratchFile file;
        private RingReader reader;

        /** Map the rings; the reader looks at its head and the mailbox line as a connection's reader does. */
        @Setup(Level.Trial)
        public void open()
        {
            final int capacity = Sizing.SMALL_RING;
            file = new ScratchFile("poll-", "rings", AgronaLayout.fileLength(capacity));
            reader = new RingReader(AgronaLayout.c2s(file.mapped(), capacity, true), "in");
        }

        /** Unmap and delete the file. */
        @TearDown(Level.Trial)
        public void close()
        {
            file.close();
        }
    }

    /** A connection to a running sink service, which never answers: its rx ring stays empty. */
    @State(Scope.Thread)
    public static class Client
    {
        private static final long LAUNCH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

        private RingportBus bus;
        private Ringport ringport;
        private Connection connection;

        /** Start a bus, connect, and wait until the service that the first message launched is running. */
        @Setup(Level.Trial)
        public void open()
        {
            bus = RingportBus.start();
            try
            {
                ringport = bus.open(WaitMode.BUSY);
                final String service = RingportBus.service(Role.SINK, WaitMode.BUSY, Sizing.SMALL_RING);
                connection = ringport.connect(service);
                connection.send(new byte[8]);
                final long deadline = System.nanoTime() + LAUNCH_TIMEOUT_NS;
                while (!isRunning(service))
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        throw new IllegalStateException("the sink service did not start in 60 s; daemon log:\n" +
                            bus.log());
                    }
                    connection.poll(16);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        private boolean isRunning(final String service)
        {
            try
            {
                return RingportBus.pid(ringport, service) > 0;
            }
            catch (final IllegalStateException ex)
            {
                return false;
            }
        }

        /** Close the connection and stop the bus and its service. */
        @TearDown(Level.Trial)
        public void close()
        {
            CloseHelper.quietCloseAll(connection, ringport);
            if (null != bus)
            {
                bus.close();
            }
        }
    }

    /**
     * The bare reader's look.
     *
     * @param ring the rings.
     * @return records read: 0.
     */
    @Benchmark
    public int ring(final Ring ring)
    {
        return ring.reader.read(IGNORE, 16);
    }

    /**
     * A client's invoker-mode poll of its connection: events, framing, the reader's look.
     *
     * @param client the connection.
     * @return work done: 0.
     */
    @Benchmark
    public int connection(final Client client)
    {
        return client.connection.poll(16);
    }
}
