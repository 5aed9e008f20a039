package io.ringport.jmh;

import io.ringport.client.Connection;
import io.ringport.client.Ringport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CPU used by idle connections: a client with {@code connections} established, resumed connections (the library's
 * receiver thread polls them) to one echo service, nothing sent. Each operation sleeps 100 ms and adds the CPU time
 * used meanwhile to three counters, in units of 1/100 of a core-second, so their rates per second, the secondary
 * results, read as percent of one core: {@code serviceCpuPercent} (the service process), {@code receiverCpuPercent}
 * (the client library's receiver thread, which polls the client's connections) and {@code clientJvmCpuPercent}
 * (the whole benchmark JVM: client, in-process daemon and JMH harness). The primary score means nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IdleCpuBenchmark extends ForkedBenchmark
{
    private static final long SLICE_MS = 100;
    /** The receiver thread's name ({@code ringport-receiver}) as the kernel truncates it. */
    private static final String RECEIVER_THREAD = "ringport-receiv";

    /** The bus, the service and the idle connections. */
    @State(Scope.Thread)
    public static class Session
    {
        /** The wait strategy of the client's receiver thread and of the service's listener. */
        @Param({"backoff", "blocking"})
        public String wait;

        /** How many idle connections: 1 shows the fixed cost of the idle loops, 100 what each connection adds. */
        @Param({"1", "100"})
        public int connections;

        RingportBus bus;
        Ringport ringport;
        final List<Connection> open = new ArrayList<>();
        long servicePid;
        final long clientPid = ProcessHandle.current().pid();

        /**
         * Start the service, establish the connections with one echo each, then leave them idle.
         *
         * @throws InterruptedException when interrupted.
         */
        @Setup(Level.Trial)
        public void open() throws InterruptedException
        {
            final WaitMode mode = WaitMode.of(wait);
            final String service = RingportBus.service(Role.ECHO, mode, Sizing.SMALL_RING);
            bus = RingportBus.start();
            try
            {
                ringport = bus.open(mode);
                final AtomicInteger echoes = new AtomicInteger();
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
                for (int i = 0; i < connections; i++)
                {
                    final Connection connection = ringport.connect(service);
                    open.add(connection);
                    connection.setEventHandler(message -> echoes.incrementAndGet()).resume();
                    connection.send(payload, 0, payload.capacity());
                }
                final long deadline = System.nanoTime() + RingportLink.LAUNCH_TIMEOUT_NS;
                while (echoes.get() < connections)
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        throw new IllegalStateException(echoes.get() + " of " + connections +
                            " connections echoed within 60 s; daemon log:\n" + bus.log());
                    }
                    Thread.sleep(1);
                }
                servicePid = RingportBus.pid(ringport, service);
            }
            catch (final RuntimeException | InterruptedException ex)
            {
                close();
                throw ex;
            }
        }

        /** Close everything. */
        @TearDown(Level.Trial)
        public void close()
        {
            CloseHelper.quietCloseAll(open);
            CloseHelper.quietClose(ringport);
            if (null != bus)
            {
                bus.close();
            }
        }
    }

    /** CPU time used, in 1/100 core-seconds: as rates per second, percent of one core. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Cpu
    {
        private static final double NS_PER_UNIT = 10_000_000.0;

        /** The service process. */
        public double serviceCpuPercent;
        /** The client library's receiver thread. */
        public double receiverCpuPercent;
        /** The benchmark JVM: client connections, in-process daemon, JMH harness. */
        public double clientJvmCpuPercent;

        private boolean started;
        private long service;
        private long receiver;
        private long client;

        /** Counters restart with each iteration. */
        @Setup(Level.Iteration)
        public void reset()
        {
            started = false;
            serviceCpuPercent = 0;
            receiverCpuPercent = 0;
            clientJvmCpuPercent = 0;
        }

        void sample(final Session session)
        {
            final long service = ProcessCpu.nanos(session.servicePid);
            final long receiver = ProcessCpu.nanos(session.clientPid, RECEIVER_THREAD);
            final long client = ProcessCpu.nanos(session.clientPid);
            if (started)
            {
                serviceCpuPercent += (service - this.service) / NS_PER_UNIT;
                receiverCpuPercent += (receiver - this.receiver) / NS_PER_UNIT;
                clientJvmCpuPercent += (client - this.client) / NS_PER_UNIT;
            }
            started = true;
            this.service = service;
            this.receiver = receiver;
            this.client = client;
        }
    }

    /**
     * Sleep one slice and update the CPU figures.
     *
     * @param session the idle connections.
     * @param cpu     the figures.
     * @throws InterruptedException when interrupted.
     */
    @Benchmark
    public void idle(final Session session, final Cpu cpu) throws InterruptedException
    {
        cpu.sample(session);
        Thread.sleep(SLICE_MS);
        cpu.sample(session);
    }
}
