package io.ringport.daemon;

import io.ringport.core.RingportEnvironment;
import io.ringport.daemon.definition.ServiceDefinition;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Gives a service its class-data archive before its first launch: while the daemon launches nothing, it runs each
 * service that has no archive yet, one at a time, as a training run, i.e. the service's own JVM command (flags,
 * class path, the flags that make the JVM write the archive as it exits) with Ringport's own start-up
 * ({@link RingportEnvironment#CLASS_DATA_TRAINING_MAIN}) in place of the service's main class, which it is given to
 * load but not run. The run serves one
 * message on a port and rings in a directory of its own ({@code HOME/training-*}, removed after it) and talks to no
 * daemon. The archive it leaves is the one {@link ClassDataSharing} hands the service's launches; a launch that
 * comes first makes its own, as without training. Runs on the daemon's thread.
 */
final class ClassDataTrainer
{
    /** Prefix of a training run's directory in the home. */
    static final String DIR_PREFIX = "training-";
    private static final long DELAY_NS = TimeUnit.MILLISECONDS.toNanos(DaemonContext.TRAINING_DELAY_MS);
    private static final long CLOSE_WAIT_MS = 5_000;
    /** A run still going after this is killed: the run itself gives up after 20 s. */
    private static final long RUN_LIMIT_NS = TimeUnit.SECONDS.toNanos(60);

    private final DaemonContext ctx;
    private final ClassDataSharing classDataSharing;
    private final Consumer<Runnable> onDaemonThread;
    private final ArrayDeque<ServiceEntry> untrained = new ArrayDeque<>();
    private long quietSinceNs = System.nanoTime();
    private Run run;

    /** The training run under way. */
    private static final class Run
    {
        final ServiceEntry entry;
        final ClassDataSharing.Launch launch;
        final Path dir;
        final PortWriter port;
        final long startedNs = System.nanoTime();
        Process process;

        Run(final ServiceEntry entry, final ClassDataSharing.Launch launch, final Path dir, final PortWriter port)
        {
            this.entry = entry;
            this.launch = launch;
            this.dir = dir;
            this.port = port;
        }
    }

    /**
     * @param ctx              the daemon's context.
     * @param classDataSharing the daemon's archives.
     * @param onDaemonThread   runs a task on the daemon's thread (for a run's exit).
     */
    ClassDataTrainer(
        final DaemonContext ctx, final ClassDataSharing classDataSharing, final Consumer<Runnable> onDaemonThread)
    {
        this.ctx = ctx;
        this.classDataSharing = classDataSharing;
        this.onDaemonThread = onDaemonThread;
    }

    /** At start: remove the training directories of a daemon that is gone (this one has not made any yet). */
    static void sweep(final Path home, final DaemonContext ctx)
    {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(home, DIR_PREFIX + "*"))
        {
            for (final Path dir : dirs)
            {
                ctx.log("sweeping " + dir.getFileName() + " left by a dead daemon");
                deleteTree(dir);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("cannot sweep the training directories in " + home + ": " + ex);
        }
    }

    /** A service was registered: train it when the daemon is quiet, unless training is off. */
    void add(final ServiceEntry entry)
    {
        if (ctx.classDataTraining())
        {
            untrained.add(entry);
        }
    }

    /** A service was unregistered: no training for it, and a run of it under way ends. */
    void remove(final ServiceEntry entry)
    {
        untrained.remove(entry);
        if (null != run && run.entry == entry)
        {
            // Its archive goes now, also when the run has ended but its exit is still queued: that is a no-op then.
            run.process.destroyForcibly();
            classDataSharing.exited(run.launch, -1);
        }
    }

    /**
     * The daemon launched a service: training waits until it has been quiet for a while, so that a run does not
     * start while a launch takes the cores (one under way goes on).
     *
     * @param nowNs the clock.
     */
    void launched(final long nowNs)
    {
        quietSinceNs = nowNs;
    }

    /**
     * Start the next run, if none is under way and the daemon has launched nothing for a while.
     *
     * @param nowNs the clock.
     */
    void tick(final long nowNs)
    {
        if (null != run && nowNs - run.startedNs > RUN_LIMIT_NS && run.process.isAlive())
        {
            ctx.log("'" + run.entry.name() + "' training run pid " + run.process.pid() + " still going after " +
                TimeUnit.NANOSECONDS.toSeconds(RUN_LIMIT_NS) + " s: killed");
            run.process.destroyForcibly();
        }
        while (null == run && !untrained.isEmpty() && nowNs - quietSinceNs >= DELAY_NS)
        {
            final ServiceEntry entry = untrained.poll();
            // A running instance is making its archive, or has one.
            if (null == entry.process)
            {
                start(entry);
            }
        }
    }

    private void start(final ServiceEntry entry)
    {
        final ServiceDefinition definition = entry.definition;
        if (!definition.classDataSharing() || null != entry.classDataOff)
        {
            return;
        }
        Path dir = null;
        PortWriter port = null;
        ClassDataSharing.Launch launch = null;
        try
        {
            final List<String> command = Launcher.command(ctx.home(), definition, List.of());
            final JavaCommandLine java = JavaCommandLine.parse(command);
            if (java.jar())
            {
                throw new IllegalArgumentException("its command runs a jar's own main class (-jar)");
            }
            dir = Files.createTempDirectory(ctx.home(), DIR_PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            port = PortWriter.create(dir, definition.portCapacity(), definition.maxMessageLength());
            final ProcessBuilder builder = Launcher.processBuilder(command, definition, dir, port.path(), "training");
            launch = classDataSharing.prepare(entry, command, (flags) -> Launcher.command(ctx.home(), definition, flags),
                builder, true);
            if (null == launch)
            {
                cleanUp(dir, port);
                return;
            }
            final List<String> withFlags = Launcher.command(ctx.home(), definition, launch.flags);
            // The flags stand before the main class (ClassDataSharing checked): it moved by as many words.
            final int mainClass = java.optionsEnd() + withFlags.size() - command.size();
            final List<String> training = new ArrayList<>(withFlags.subList(0, mainClass));
            // Last, so that it wins over a -Dringport.home of the command: the run's home is its own directory.
            training.add("-D" + RingportEnvironment.HOME_PROPERTY + "=" + dir);
            training.add(RingportEnvironment.CLASS_DATA_TRAINING_MAIN);
            if (mainClass < withFlags.size())
            {
                training.add(withFlags.get(mainClass)); // loaded, not run
            }
            builder.command(training)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
            final Run started = new Run(entry, launch, dir, port);
            started.process = builder.start();
            classDataSharing.started(launch, started.process);
            run = started;
            ctx.log("'" + entry.name() + "' training its class-data archive as pid " + started.process.pid());
            started.process.onExit().thenRun(() -> onDaemonThread.accept(() -> exited(started)));
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != launch)
            {
                classDataSharing.abandon(launch);
            }
            cleanUp(dir, port);
            ctx.log("'" + entry.name() + "' not trained: " + ex.getMessage());
        }
    }

    private void exited(final Run finished)
    {
        final int status = finished.process.exitValue();
        ctx.log("'" + finished.entry.name() + "' training run pid " + finished.process.pid() + " exited with " +
            "status " + status);
        classDataSharing.exited(finished.launch, status);
        cleanUp(finished.dir, finished.port);
        if (run == finished)
        {
            run = null;
        }
    }

    /** At the daemon's close: end a run under way and remove its files. */
    void close()
    {
        untrained.clear();
        final Run current = run;
        run = null;
        if (null != current)
        {
            current.process.destroyForcibly();
            int status = -1;
            try
            {
                if (current.process.waitFor(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS))
                {
                    status = current.process.exitValue();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            classDataSharing.exited(current.launch, status);
            cleanUp(current.dir, current.port);
        }
    }

    private void cleanUp(final Path dir, final PortWriter port)
    {
        if (null != port)
        {
            port.close();
        }
        if (null != dir && Files.exists(dir))
        {
            try
            {
                deleteTree(dir);
            }
            catch (final IOException | RuntimeException ex)
            {
                ctx.log("cannot remove " + dir + ": " + ex);
            }
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
