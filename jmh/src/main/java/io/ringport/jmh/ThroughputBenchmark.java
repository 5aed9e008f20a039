package io.ringport.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One-way throughput to a sink partner in another process: messages per second, each send waiting while the
 * transport is back-pressured, so in steady state the sender runs at the rate the partner consumes. Bytes per
 * second = score x size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark extends ForkedBenchmark
{
    /** Messages per benchmark invocation, so the harness's own cost per call is spread thin. */
    public static final int BATCH = 100;

    /** One link to one sink partner for the whole trial. */
    @State(Scope.Thread)
    public static class Session extends LinkSession
    {
        /** Which transport (the raw ping-pong has no queue and is not here). */
        @Param({"ringport", "agrona", "ring", "aeron", "chronicle", "uds", "tcp"})
        public String transport;

        /** Message size in bytes. */
        @Param({"64", "4096"})
        public int size;

        /** How Ringport's ends wait. */
        @Param({"busy"})
        public String wait;

        Link openLink()
        {
            return Transport.of(transport).open(Role.SINK, size, WaitMode.of(wait));
        }
    }

    /**
     * Send {@link #BATCH} messages.
     *
     * @param session the link.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void oneWay(final Session session)
    {
        final Link link = session.link;
        for (int i = 0; i < BATCH; i++)
        {
            link.send();
        }
    }
}
