package io.ringport.daemon;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.port.PortRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The instances file, {@code RINGPORT_HOME/instances}: the daemon and the service processes it runs, one per line,
 * rewritten at every launch and exit. A daemon killed without a chance to stop its services leaves it behind; the
 * next daemon on the home reads it and stops those orphans, so that a name never has two instances.
 * <pre>
 *  file     := "daemon" SP pid SP start-time LF instance*
 *  instance := pid SP start-time SP exit-timeout-ms SP service-name SP port-ring-path LF
 * </pre>
 * Start times are epoch milliseconds: with the pid they tell a process from a later one that reuses its pid.
 */
final class Instances
{
    /** Name of the instances file in the home. */
    static final String FILE_NAME = "instances";

    private static final String DAEMON = "daemon";

    /**
     * A process launched for a service.
     *
     * @param pid         its process id.
     * @param startMillis its start time, epoch milliseconds, to tell it from a later process with the same pid.
     * @param exitTimeout its definition's exitTimeout.
     * @param service     the service name.
     * @param port        the port ring it reads.
     */
    record Instance(long pid, long startMillis, Duration exitTimeout, String service, Path port)
    {
        static Instance of(final Process process, final ServiceEntry entry)
        {
            return new Instance(process.pid(), startTime(process.toHandle()).orElse(-1L),
                entry.definition.exitTimeout(), entry.name(), entry.port.path());
        }

        /** The process, when it still runs and is the one launched. */
        Optional<ProcessHandle> find()
        {
            return running(pid, startMillis);
        }
    }

    private Instances()
    {
    }

    /** Replace the file with these instances, atomically; remove it when there are none. */
    static void write(final Path home, final Collection<Instance> instances) throws IOException
    {
        final Path file = home.resolve(FILE_NAME);
        if (instances.isEmpty())
        {
            Files.deleteIfExists(file);
            return;
        }
        final ProcessHandle self = ProcessHandle.current();
        final StringBuilder text = new StringBuilder(DAEMON).append(' ').append(self.pid()).append(' ')
            .append(startTime(self).orElse(-1L)).append('\n');
        for (final Instance instance : instances)
        {
            text.append(instance.pid()).append(' ').append(instance.startMillis()).append(' ')
                .append(instance.exitTimeout().toMillis()).append(' ').append(instance.service()).append(' ')
                .append(instance.port()).append('\n');
        }
        final Path tmp = home.resolve(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(Files.createFile(tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), text, UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Stop the instances a dead daemon left running, then remove the file: TERMINATION_IMMINENT on each one's port,
     * so that it closes its connections and exits by itself; SIGTERM to those still running after their exitTimeout;
     * SIGKILL to those still running after another exitTimeout.
     */
    static void stopOrphans(final Path home, final DaemonContext ctx) throws IOException
    {
        final Path file = home.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            return;
        }
        final List<String> lines = Files.readAllLines(file, UTF_8);
        final String[] daemon = lines.isEmpty() ? new String[0] : lines.get(0).split(" ");
        if (3 == daemon.length && DAEMON.equals(daemon[0]) &&
            running(number(daemon[1]), number(daemon[2])).isPresent())
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, "daemon pid " + daemon[1] + " still runs the " +
                "services listed in " + file + ", though its socket does not answer; stop it before starting another");
        }
        final List<Exits.Exiting> orphans = new ArrayList<>();
        for (final String line : lines)
        {
            final Instance instance = parse(line);
            final Optional<ProcessHandle> handle = null == instance ? Optional.empty() : instance.find();
            if (handle.isPresent())
            {
                final String name = "'" + instance.service() + "' (pid " + instance.pid() + ")";
                ctx.log("stopping " + name + ", left running by a daemon that died: TERMINATION_IMMINENT, then " +
                    "SIGTERM and SIGKILL after exitTimeout " + instance.exitTimeout());
                askToExit(instance, ctx);
                orphans.add(new Exits.Exiting(name, handle.get(), instance.exitTimeout()));
            }
        }
        Exits.await(orphans, false, ctx);
        Files.deleteIfExists(file);
    }

    private static void askToExit(final Instance orphan, final DaemonContext ctx)
    {
        // The dead daemon was the port's only producer, so this one may append to it now.
        try (PortWriter port = PortWriter.attach(orphan.port()))
        {
            if (port.append(new PortRecord.TerminationImminent(PortRecord.TerminationImminent.SHUTDOWN)) < 0)
            {
                ctx.log("port of '" + orphan.service() + "' is full; it will get SIGTERM instead");
            }
        }
        catch (final RuntimeException ex)
        {
            ctx.log("cannot tell '" + orphan.service() + "' to exit through its port (" + ex.getMessage() +
                "); it will get SIGTERM instead");
        }
    }

    /** An instance line, or null for the daemon's line and anything malformed. */
    /**
     * Is no process of this pid alive, i.e. whatever it left behind is free to go?
     *
     * @param pid a process id.
     * @return true when no such process runs.
     */
    static boolean isGone(final long pid)
    {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static Instance parse(final String line)
    {
        final String[] fields = line.split(" ", 5);
        try
        {
            return 5 == fields.length ? new Instance(Long.parseLong(fields[0]), Long.parseLong(fields[1]),
                Duration.ofMillis(Long.parseLong(fields[2])), fields[3], Path.of(fields[4])) : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private static long number(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** The process with this pid, when it still runs and started at this time; a start time below 0 matches none. */
    private static Optional<ProcessHandle> running(final long pid, final long startMillis)
    {
        return ProcessHandle.of(pid)
            .filter(Exits::isRunning)
            .filter(handle -> startMillis >= 0 && startTime(handle).orElse(-2L) == startMillis);
    }

    private static Optional<Long> startTime(final ProcessHandle handle)
    {
        return handle.info().startInstant().map(Instant::toEpochMilli);
    }
}
