package io.ringport.jmh;

import io.ringport.client.Ringport;
import io.ringport.jmh.partner.Hello;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Launch on demand and connect:
 * <ul>
 *   <li>{@code coldLaunch}: a fresh daemon per iteration; the time from the first message on a new connection to its
 *   echo, which covers spawning the service JVM, its check-in, accepting the connection and the handler. With
 *   {@code classData=archive} the daemons share a class-data directory, as one long-lived daemon has, so that from
 *   the second launch on the service JVM starts from the archive its first run wrote (the first launch is a
 *   warm-up); with {@code classData=trained} each daemon first trains the service for its archive (class-data
 *   training, waited for in the set-up), so that its first launch ever starts from one; with {@code classData=none}
 *   every launch is without;</li>
 *   <li>{@code bareJvm}: the baseline, a JVM with the same flags and class path that prints a line and exits, timed
 *   from spawn to the line; with {@code bareStart=archive} from a class-data archive of its own;</li>
 *   <li>{@code connect}: a new connection to a running service, timed to its first echo.</li>
 * </ul>
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LaunchBenchmark extends ForkedBenchmark
{
    private static final int SIZE = 32;
    private static final WaitMode COLD_WAIT = WaitMode.BACKOFF;

    /** A fresh daemon for each iteration, with a handle already open on it. */
    @State(Scope.Thread)
    public static class FreshBus
    {
        /**
         * {@code archive}: the service JVM starts from the class-data archive of an earlier launch; {@code trained}:
         * from the archive the daemon's class-data training made before this, the service's first launch ever;
         * {@code none}: without an archive.
         */
        @Param({"archive", "trained", "none"})
        public String classData;

        RingportBus bus;
        Ringport ringport;
        RingportLink link;

        /** Start a daemon in a new home. */
        @Setup(Level.Iteration)
        public void start()
        {
            bus = "trained".equals(classData) ?
                RingportBus.startTrained(RingportBus.service(Role.ECHO, COLD_WAIT,
                    Sizing.ringCapacity(Sizing.payloadLength(SIZE)))) :
                RingportBus.start("archive".equals(classData));
            ringport = bus.open(COLD_WAIT);
        }

        /** Stop the daemon and the service it launched. */
        @TearDown(Level.Iteration)
        public void stop()
        {
            CloseHelper.quietCloseAll(link, ringport);
            link = null;
            bus.close();
        }
    }

    /** The bare JVM of the last iteration, reaped after it. */
    @State(Scope.Thread)
    public static class BareJvm
    {
        /**
         * {@code jar}: its class comes from the class path's jar, as the baseline has it; {@code archive}: from a
         * class-data archive of its own, written by one run in the set-up, so the JVM never opens the jar (a launch
         * whose archive holds all it loads does not either; the jar's directory costs a start 15-25 ms here).
         */
        @Param({"jar", "archive"})
        public String bareStart;

        final List<String> command = new ArrayList<>();
        Scratch archiveDir;
        PartnerProcess process;

        /** The same launcher, flags and class path as a service's command. */
        @Setup(Level.Trial)
        public void command()
        {
            command.add(PartnerProcess.javaExecutable());
            command.add(JvmFlags.AGRONA);
            command.add(JvmFlags.NO_ANALYTICS);
            command.addAll(RingportBus.SERVICE_JVM_FLAGS);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Hello.class.getName());
            if ("archive".equals(bareStart))
            {
                archiveDir = Scratch.create("bare-cds-");
                final String archive = archiveDir.resolve("hello.jsa").toString();
                final List<String> dump = new ArrayList<>(command);
                dump.add(1, "-XX:ArchiveClassesAtExit=" + archive);
                final PartnerProcess dumping = PartnerProcess.start(dump);
                final boolean exited = dumping.waitFor(60_000);
                final int status = dumping.exitStatus();
                dumping.close();
                if (!exited || 0 != status || !Files.exists(Path.of(archive)))
                {
                    // JMH runs no tear-down after a failed set-up.
                    archiveDir.close();
                    throw new IllegalStateException("no class-data archive written for the bare JVM at " + archive +
                        " (exit status " + status + ")");
                }
                command.add(1, "-XX:SharedArchiveFile=" + archive);
            }
        }

        /** Remove the archive. */
        @TearDown(Level.Trial)
        public void removeArchive()
        {
            if (null != archiveDir)
            {
                archiveDir.close();
            }
        }

        /** Wait for it to exit. */
        @TearDown(Level.Iteration)
        public void reap()
        {
            if (null != process)
            {
                process.waitFor(10_000);
                process.close();
                process = null;
            }
        }
    }

    /** A running service on a daemon, and the connection of the current invocation. */
    @State(Scope.Thread)
    public static class RunningService
    {
        RingportBus bus;
        Ringport ringport;
        RingportLink first;
        RingportLink link;

        /** Start the daemon and launch the service. */
        @Setup(Level.Trial)
        public void start()
        {
            bus = RingportBus.start();
            try
            {
                ringport = bus.open(WaitMode.BUSY);
                first = RingportLink.on(bus, ringport, Role.ECHO, SIZE, WaitMode.BUSY);
            }
            catch (final RuntimeException ex)
            {
                stop();
                throw ex;
            }
        }

        /** Close the invocation's connection. */
        @TearDown(Level.Invocation)
        public void disconnect()
        {
            CloseHelper.quietClose(link);
            link = null;
        }

        /** Stop everything. */
        @TearDown(Level.Trial)
        public void stop()
        {
            CloseHelper.quietCloseAll(first, ringport);
            bus.close();
        }
    }

    /**
     * First message to a service that is not running, until its echo.
     *
     * @param fresh the daemon of this iteration.
     * @return the link.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 8)
    public Object coldLaunch(final FreshBus fresh)
    {
        fresh.link = RingportLink.on(fresh.bus, fresh.ringport, Role.ECHO, SIZE, COLD_WAIT);
        return fresh.link;
    }

    /**
     * Start a bare JVM until it prints.
     *
     * @param bare the command.
     * @return the process.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 8)
    public Object bareJvm(final BareJvm bare)
    {
        bare.process = PartnerProcess.start(bare.command);
        return bare.process;
    }

    /**
     * A new connection to a running service, until its first echo.
     *
     * @param running the service.
     * @return the link.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public Object connect(final RunningService running)
    {
        running.link = RingportLink.on(running.bus, running.ringport, Role.ECHO, SIZE, WaitMode.BUSY);
        return running.link;
    }
}
