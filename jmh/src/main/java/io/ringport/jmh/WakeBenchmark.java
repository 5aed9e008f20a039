package io.ringport.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Wake from idle: both ends have been idle for {@code idleMs} (a pause outside the measurement), then one 32 B round
 * trip. Ringport's ends wait with the {@code wait} strategy: the client in managed mode ({@code requestSync}, its
 * receiver thread idles with the strategy and completes the caller's future), in invoker mode ({@code requestSync},
 * the caller waits with the strategy itself) or polling ({@code send} and {@code poll}, the caller idling with the
 * connection's strategy: no future, no copy); the service's listener idles with it.
 * The baseline is a blocking Unix domain socket, whose reader sleeps in the kernel.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WakeBenchmark extends ForkedBenchmark
{
    private static final int SIZE = 32;

    /** The pause before each round trip. */
    @State(Scope.Thread)
    public static class Pause
    {
        /** How long both ends stay idle before each round trip. */
        @Param({"20"})
        public int idleMs;

        /**
         * Stay idle.
         *
         * @throws InterruptedException when interrupted.
         */
        @Setup(Level.Invocation)
        public void idle() throws InterruptedException
        {
            Thread.sleep(idleMs);
        }
    }

    /** A Ringport link whose ends wait with a strategy. */
    @State(Scope.Thread)
    public static class RingportSession extends LinkSession
    {
        /** The wait strategy of both ends, see {@link WaitMode}. */
        @Param({"backoff", "blocking"})
        public String wait;

        /**
         * Who waits for the reply: {@code managed}, the library's receiver thread, which then wakes the caller
         * parked on the future; {@code invoker}, the caller itself in {@code requestSync}, which with
         * {@code blocking} sleeps on the connection's doorbell; {@code poll}, the caller's own loop of one-way send
         * and poll, idling the same way.
         */
        @Param({"managed", "invoker", "poll"})
        public String mode;

        Link openLink()
        {
            return new RingportLink(Role.ECHO, SIZE, WaitMode.of(wait), switch (mode)
            {
                case "managed" -> RingportLink.Style.MANAGED_REQUEST;
                case "invoker" -> RingportLink.Style.REQUEST;
                case "poll" -> RingportLink.Style.POLL;
                default -> throw new IllegalArgumentException("unknown mode: " + mode);
            });
        }
    }

    /** A blocking Unix domain socket. */
    @State(Scope.Thread)
    public static class SocketSession extends LinkSession
    {
        Link openLink()
        {
            return Transport.UDS.open(Role.ECHO, SIZE, WaitMode.BUSY);
        }
    }

    /**
     * Ringport round trip after idling.
     *
     * @param pause   the idle pause.
     * @param session the link.
     * @return the echoed sequence.
     */
    @Benchmark
    public long ringport(final Pause pause, final RingportSession session)
    {
        return session.link.roundTrip();
    }

    /**
     * Unix domain socket round trip after idling.
     *
     * @param pause   the idle pause.
     * @param session the link.
     * @return the echoed sequence.
     */
    @Benchmark
    public long unixSocket(final Pause pause, final SocketSession session)
    {
        return session.link.roundTrip();
    }
}
