package io.ringport.it;

import io.ringport.client.Ringport;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.core.control.ControlProtocol;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingFileDescriptor;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.CountersFile;
import io.ringport.daemon.Exits;
import io.ringport.daemon.ServiceStats;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real ringportd in its own process, with a private home in /dev/shm and a services directory of its own.
 * It can be killed and started again on the same home. Closing it shuts the daemon down, kills whatever runs for its
 * home (services, orphans of a killed daemon, test clients), and removes every file.
 */
final class TestDaemon implements AutoCloseable
{
    static final Duration DEADLINE = Duration.ofSeconds(60);

    final Path home;
    final Path services;
    final Path scratch;
    final Path log;
    private final List<String> options = new ArrayList<>();
    private boolean classDataTraining;
    private Process process;

    private TestDaemon() throws IOException
    {
        home = Files.createTempDirectory(Path.of("/dev/shm"), "ringport-test-");
        scratch = Files.createTempDirectory("ringport-test-scratch-");
        services = Files.createDirectory(scratch.resolve("services"));
        log = scratch.resolve("daemon.log");
    }

    /** A daemon with no services yet; add definitions, then {@link #start()}. */
    static TestDaemon create() throws IOException
    {
        return new TestDaemon();
    }

    /**
     * Let the daemon train services for class-data archives, which tests' daemons do not by default: a training run
     * of each service at start would take a core from the tests' own launches.
     */
    TestDaemon classDataTraining()
    {
        this.classDataTraining = true;
        return this;
    }

    /** Options for {@code ringport daemon} besides its home and services directory. */
    TestDaemon options(final String... options)
    {
        this.options.addAll(List.of(options));
        return this;
    }

    /** Write a definition file named {@code file} with these lines. */
    TestDaemon define(final String file, final String... lines) throws IOException
    {
        Files.writeString(services.resolve(file), String.join("\n", lines) + "\n", UTF_8);
        return this;
    }

    /** A definition for the test service class under a name, with extra lines. */
    TestDaemon defineTestService(final String name, final String... extra) throws IOException
    {
        return define(name + ".properties", testService(name, extra));
    }

    /** The lines of a definition for the test service class under a name, with extra lines. */
    String[] testService(final String name, final String... extra)
    {
        final List<String> lines = new ArrayList<>(List.of(
            "name = " + name,
            "command = ${JAVA} ${RINGPORT_JVM_OPTS} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp ${RINGPORT_CLASSPATH} " +
                TestService.class.getName(),
            "throttleInterval = 0s",
            "environment.RESULTS = " + scratch));
        lines.addAll(List.of(extra));
        return lines.toArray(String[]::new);
    }

    /** Write a definition file outside the services directory, for {@code ringport register}. */
    Path writeDefinition(final String file, final String... lines) throws IOException
    {
        return Files.writeString(scratch.resolve(file), String.join("\n", lines) + "\n", UTF_8);
    }

    /** Start a daemon on the home, again after {@link #kill9()} too, and wait until it answers. */
    TestDaemon start() throws IOException
    {
        final List<String> command = Processes.java(io.ringport.cli.Main.class.getName(), "daemon",
            "--home", home.toString(), "--services", services.toString());
        command.addAll(options);
        if (!classDataTraining)
        {
            command.add("--no-class-data-training");
        }
        final Process started = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        process = started;
        await("daemon pid " + started.pid() + " answering on " + home.resolve(ControlProtocol.SOCKET_NAME),
            () -> !started.isAlive() || answeredBy(started.pid()));
        if (!started.isAlive())
        {
            throw new IllegalStateException("daemon exited at start:\n" + log());
        }
        return this;
    }

    /** Kill the daemon with SIGKILL: it stops nothing and removes nothing. */
    void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS))
        {
            throw new AssertionError("daemon pid " + process.pid() + " survived SIGKILL");
        }
    }

    private boolean answeredBy(final long pid)
    {
        try (RawSession session = new RawSession(home))
        {
            final ControlMessage answer = session.call(new ControlMessage.Hello(ProcessHandle.current().pid()));
            return answer instanceof ControlMessage.HelloOk ok && ok.daemonPid() == pid;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    Ringport open()
    {
        return Ringport.open(context());
    }

    Ringport.Context context()
    {
        return new Ringport.Context().home(home).controlTimeout(DEADLINE);
    }

    Process process()
    {
        return process;
    }

    String log()
    {
        try
        {
            return Files.exists(log) ? Files.readString(log, UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    ServiceInfo service(final String name)
    {
        try (Ringport ringport = open())
        {
            return ringport.listServices().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }
    }

    /**
     * A service once the daemon has taken its check-in: its first messages may be served before that (see
     * {@code Ringport.checkIn}), so a reply alone does not mean RUNNING yet.
     */
    ServiceInfo running(final String name)
    {
        await("'" + name + "' checked in", () -> "RUNNING".equals(service(name).state()));
        return service(name);
    }

    /** A service's counters, read from the counters file as {@code ringport stat} reads them. */
    ServiceStats stats(final String name)
    {
        try (CountersFile counters = CountersFile.openReadOnly(home))
        {
            return counters.read().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }
    }

    /** Run the command line against this daemon's home. */
    CliTest.Run cli(final String... args) throws Exception
    {
        return CliTest.ringport(home, args);
    }

    /** {@code ringport daemon} for this home and services directory again, while this one is its daemon. */
    CliTest.Run secondDaemon() throws Exception
    {
        return cli("daemon", "--home", home.toString(), "--services", services.toString());
    }

    /** Is this process still running? A zombie is not: an orphan's exit waits for init to reap it. */
    static boolean isRunning(final long pid)
    {
        return ProcessHandle.of(pid).map(Exits::isRunning).orElse(false);
    }

    /** Processes whose environment names this home: services launched for it, orphans, test clients. */
    List<ProcessHandle> processesOfHome()
    {
        final String variable = RingportEnvironment.HOME + "=" + home;
        final List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*"))
        {
            for (final Path dir : proc)
            {
                try
                {
                    final String environment = new String(Files.readAllBytes(dir.resolve("environ")), UTF_8);
                    if (Arrays.asList(environment.split("\0")).contains(variable))
                    {
                        ProcessHandle.of(Long.parseLong(dir.getFileName().toString())).ifPresent(found::add);
                    }
                }
                catch (final IOException ex)
                {
                    // Gone meanwhile, or another user's: not ours.
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return found;
    }

    /** Files in the home other than the socket: ring files of ports and connections. */
    List<String> ringFiles()
    {
        try (Stream<Path> files = Files.list(home))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ring")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The one ring file of the home whose name starts so.
     *
     * @param prefix such as {@code "c2s-"}.
     * @return its name.
     */
    String ringFile(final String prefix)
    {
        final List<String> found = ringFiles().stream().filter(n -> n.startsWith(prefix)).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    /**
     * Wait until a service's listener sleeps on its doorbells for good: marked asleep in the one c2s ring it reads,
     * and in {@code futex_waitv} itself, past the first 200 µs in which it still parks and looks again by itself.
     * From then on only a write into its rings or a wake gets it up.
     *
     * @param service whose listener.
     */
    void awaitListenerAsleep(final String service)
    {
        try (RingFile c2s = RingFile.map(home.resolve(ringFile("c2s-")), RingKind.C2S, null))
        {
            await("the listener asleep", () -> RingFileDescriptor.WAITER_SLEEPING ==
                c2s.header().getIntVolatile(RingFileDescriptor.CONSUMER_WAITER_OFFSET));
        }
        final long pid = service(service).pid();
        await("a thread of pid " + pid + " in futex_waitv", () -> inFutexWaitv(pid));
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** {@inheritDoc} */
    public void close() throws Exception
    {
        try
        {
            if (null != process)
            {
                final List<ProcessHandle> descendants = process.descendants().toList();
                if (process.isAlive())
                {
                    process.destroy();
                    if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                for (final ProcessHandle child : descendants)
                {
                    child.destroyForcibly();
                    child.onExit().get(10, TimeUnit.SECONDS);
                }
            }
            for (final ProcessHandle orphan : processesOfHome())
            {
                orphan.destroyForcibly();
                orphan.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        finally
        {
            // Surefire keeps this in the test's output file: the daemon's side of whatever happened.
            System.out.println("---- daemon log " + home + "\n" + log());
            IoUtil.delete(home.toFile(), false);
            IoUtil.delete(scratch.toFile(), false);
        }
    }

    /**
     * Is a thread of the process in the system call {@code futex_waitv} (449 on every Linux architecture)? A doorbell
     * is then asleep for good, past the grace in which it still parks and looks again by itself.
     *
     * @param pid of the process.
     * @return false when none is, or the process is gone.
     */
    private static boolean inFutexWaitv(final long pid)
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    if (Files.readString(task.resolve("syscall")).startsWith("449 "))
                    {
                        return true;
                    }
                }
                catch (final IOException ex)
                {
                    // A thread that ended since the listing.
                }
            }
        }
        catch (final IOException ex)
        {
            // The process is gone: the await fails on its deadline with the reason.
        }
        return false;
    }
}
