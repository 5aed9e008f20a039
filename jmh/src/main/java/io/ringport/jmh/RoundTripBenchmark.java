package io.ringport.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Round-trip latency to an echo partner in another process, sampled per round trip, so the result has percentiles.
 * Every transport busy-spins on both ends except ringport-blocking (the BLOCKING wait strategy, managed mode) and
 * the sockets (blocking reads).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoundTripBenchmark extends ForkedBenchmark
{
    /** One link to one echo partner for the whole trial. */
    @State(Scope.Thread)
    public static class Session extends LinkSession
    {
        /** Which transport, see {@link Transport}. */
        @Param({"ringport", "ringport-sync", "ringport-blocking", "raw", "raw-2line", "agrona", "ring", "aeron", "chronicle", "uds", "tcp"})
        public String transport;

        /** Message size in bytes. */
        @Param({"32", "256", "4096", "65536", "1048576"})
        public int size;

        /** How the ends of ringport and ringport-sync wait; the other transports spin (or block, sockets). */
        @Param({"busy"})
        public String wait;

        Link openLink()
        {
            return Transport.of(transport).open(Role.ECHO, size, WaitMode.of(wait));
        }
    }

    /**
     * One round trip.
     *
     * @param session the link.
     * @return the echoed sequence number.
     */
    @Benchmark
    public long roundTrip(final Session session)
    {
        return session.link.roundTrip();
    }
}
