package io.ringport.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Class-data archives for the JVMs the daemon launches: one per service in {@link DaemonContext#classDataDir()},
 * named {@code <service>-<fingerprint>.jsa} after what it depends on ({@link ClassDataFingerprint}).
 * <p>
 * A launch that finds its archive gets {@code -XX:SharedArchiveFile=}; one that does not gets
 * {@code -XX:ArchiveClassesAtExit=} with a temporary name, and the archive it writes as it exits is renamed to its
 * final name if the exit was clean, or deleted. Only commands that use {@code ${RINGPORT_JVM_OPTS}} get these
 * flags, in its place. Runs on the daemon's thread.
 */
final class ClassDataSharing
{
    /** Name suffix of a class-data archive. */
    static final String SUFFIX = ".jsa";

    /**
     * Keeps the JVM quiet about its archive: without it, recent JDKs (25, not 17) print warnings into the service's
     * output at every dump, and at every launch whose archive is stale or unreadable, which then runs without it.
     */
    static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";

    /** Flags that show where {@code ${RINGPORT_JVM_OPTS}} puts what it adds. */
    private static final List<String> PROBE = List.of(QUIET);
    /** Exit status of a JVM that ran its shutdown on SIGTERM, and so wrote its archive. */
    private static final int SIGTERM_STATUS = 128 + 15;
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern TEMP_NAME = Pattern.compile(".+" + Pattern.quote(SUFFIX) + "\\.(\\d{1,18})-\\d+" +
        Pattern.quote(TEMP_SUFFIX));
    /** Numbers temporary archives across every daemon of this process, so that two never share a name. */
    private static final AtomicLong TEMP_NUMBERS = new AtomicLong();
    /** How long {@link #close()} waits for a process of an unfinished archive that has been asked to exit. */
    private static final long CLOSE_WAIT_MS = 5_000;

    /**
     * Suffix of the marker beside an archive that a training run made ({@link ClassDataTrainer}): it serves one
     * launch, the first, and the next launch makes a full one in its place, since a JVM that maps an archive cannot
     * write another, and a trained archive lacks the service's own classes.
     */
    static final String TRAINED_SUFFIX = ".trained";

    private final DaemonContext ctx;
    private final Path dir;
    private final List<Launch> writing = new ArrayList<>();
    /** Trained archives a launch of this daemon has used: the next launch replaces them. */
    private final Set<Path> trainedUsed = new HashSet<>();

    /**
     * One launch's use of a class-data archive.
     */
    static final class Launch
    {
        final String service;
        /** The archive's final name. */
        final Path archive;
        /** Where the JVM writes the archive at exit; null when it uses an existing one. */
        final Path temp;
        /** What {@code ${RINGPORT_JVM_OPTS}} adds for this launch. */
        final List<String> flags;
        /** Whether this is a training run's. */
        final boolean training;
        private final String fingerprint;
        private final List<String> argv;
        private final Path workingDirectory;
        private final Map<String, String> environment;
        private Process process;

        private Launch(
            final String service,
            final Path archive,
            final Path temp,
            final String fingerprint,
            final List<String> argv,
            final Path workingDirectory,
            final Map<String, String> environment,
            final boolean training)
        {
            this.service = service;
            this.training = training;
            this.archive = archive;
            this.temp = temp;
            this.flags = List.of(null == temp ?
                JavaCommandLine.SHARED_ARCHIVE_FILE + archive : JavaCommandLine.ARCHIVE_CLASSES_AT_EXIT + temp, QUIET);
            this.fingerprint = fingerprint;
            this.argv = argv;
            this.workingDirectory = workingDirectory;
            this.environment = environment;
        }
    }

    ClassDataSharing(final DaemonContext ctx)
    {
        this.ctx = ctx;
        this.dir = ctx.classDataDir();
    }

    /**
     * At start: delete the temporary archives of daemons that are gone (their instances have been stopped by then).
     */
    void sweep()
    {
        if (!Files.isDirectory(dir))
        {
            return;
        }
        final long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX))
        {
            for (final Path file : files)
            {
                final Matcher name = TEMP_NAME.matcher(file.getFileName().toString());
                if (name.matches())
                {
                    final long pid = Long.parseLong(name.group(1));
                    // This process's own are another daemon's of this JVM, still being written.
                    if (self != pid && Instances.isGone(pid))
                    {
                        ctx.log("sweeping class-data archive " + file.getFileName() + " left by dead daemon " + pid);
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("cannot sweep " + dir + ": " + ex);
        }
    }

    /**
     * Decide, and log, whether a launch uses an archive, makes one, or goes without.
     *
     * @param entry   the service.
     * @param without the command as launched without class-data sharing.
     * @param with    the command with these flags in place of {@code ${RINGPORT_JVM_OPTS}}.
     * @param builder the process as it will be started, for its working directory and environment.
     * @param training  whether this is a training run ({@link ClassDataTrainer}), which only makes an archive.
     * @return the launch's use of an archive, or null for none (for a training run: also when the archive exists).
     */
    Launch prepare(
        final ServiceEntry entry,
        final List<String> without,
        final Function<List<String>, List<String>> with,
        final ProcessBuilder builder,
        final boolean training)
    {
        final String name = entry.name();
        try
        {
            if (!entry.definition.classDataSharing())
            {
                throw new IllegalArgumentException("classDataSharing = false in " + entry.definition.file());
            }
            if (null != entry.classDataOff)
            {
                throw new IllegalArgumentException(entry.classDataOff);
            }
            checkInserted(without, with.apply(PROBE), PROBE);
            final Path workingDirectory = null == builder.directory() ?
                Path.of("").toAbsolutePath() : builder.directory().toPath().toAbsolutePath();
            final Map<String, String> environment = Map.copyOf(builder.environment());
            final String fingerprint = ClassDataFingerprint.of(without, workingDirectory, environment);
            final Path archive = dir.resolve(name + "-" + fingerprint + SUFFIX);
            boolean exists = Files.exists(archive, LinkOption.NOFOLLOW_LINKS);
            if (exists && training)
            {
                return null;
            }
            final Path trained = trainedMarker(archive);
            String note = "";
            if (exists && Files.exists(trained, LinkOption.NOFOLLOW_LINKS))
            {
                if (trainedUsed.remove(archive))
                {
                    Files.deleteIfExists(archive);
                    Files.deleteIfExists(trained);
                    exists = false;
                    note = " in place of the trained one, which served the first launch";
                }
                else
                {
                    trainedUsed.add(archive);
                    note = " (trained; the next launch makes a full one)";
                }
            }
            if (exists)
            {
                // The JVM maps what it is given: only a directory and an archive of our own, that nobody else writes.
                checkOwn(dir, true);
                checkOwn(archive, false);
            }
            final Path temp = exists ? null : archive.resolveSibling(archive.getFileName() + "." +
                ProcessHandle.current().pid() + "-" + TEMP_NUMBERS.incrementAndGet() + TEMP_SUFFIX);
            final Launch launch = new Launch(name, archive, temp, fingerprint, without, workingDirectory, environment,
                training);
            if (exists)
            {
                ctx.log("'" + name + "' launching with class-data archive " + archive + note);
                return launch;
            }
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            checkOwn(dir, true);
            final List<String> replaced = deleteOthers(name, archive);
            ctx.log("'" + name + "' " + (training ? "training" : "launching without a class-data archive") +
                ": creating " + archive + " as it exits" + note +
                (replaced.isEmpty() ? "" : " (deleted " + String.join(", ", replaced) +
                ", made for another command, class path or JDK)"));
            writing.add(launch);
            return launch;
        }
        catch (final IllegalArgumentException ex)
        {
            ctx.log("class-data sharing off for '" + name + "': " + ex.getMessage());
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("class-data sharing off for '" + name + "': " + ex);
        }
        return null;
    }

    /**
     * A path the daemon hands to a JVM as class data: not a link, owned by this user, written by nobody else.
     *
     * @param path      the directory or the archive.
     * @param directory which of the two it must be.
     */
    private static void checkOwn(final Path path, final boolean directory) throws IOException
    {
        final PosixFileAttributes attributes =
            Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        final Set<PosixFilePermission> permissions = attributes.permissions();
        if (directory ? !attributes.isDirectory() : !attributes.isRegularFile())
        {
            throw new IllegalArgumentException(path + " is not a " + (directory ? "directory" : "regular file"));
        }
        if (!attributes.owner().getName().equals(System.getProperty("user.name")) ||
            permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE))
        {
            throw new IllegalArgumentException(path + " must be owned by " + System.getProperty("user.name") +
                " and writable by nobody else (it is " + attributes.owner().getName() + ", " +
                PosixFilePermissions.toString(permissions) + ")");
        }
        if (0 == attributes.size() && !directory)
        {
            throw new IllegalArgumentException(path + " is empty");
        }
    }

    /**
     * The launch started as this process.
     *
     * @param launch  from {@link #prepare}.
     * @param process the JVM.
     */
    void started(final Launch launch, final Process process)
    {
        launch.process = process;
    }

    /**
     * The launch could not start: forget its archive.
     *
     * @param launch from {@link #prepare}.
     */
    void abandon(final Launch launch)
    {
        writing.remove(launch);
    }

    /**
     * A service was unregistered: its archives go with it, rather than take memory in {@code /dev/shm} for ever.
     *
     * @param service its name.
     */
    void forget(final String service)
    {
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try
        {
            final List<String> deleted = deleteOthers(service, null);
            if (!deleted.isEmpty())
            {
                ctx.log("'" + service + "' unregistered: deleted class-data archive " + String.join(", ", deleted));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("cannot delete the class-data archives of '" + service + "': " + ex);
        }
    }

    /**
     * A launch failed to start: an archive it was given may be why (the fingerprint does not cover everything a JVM
     * checks), so it goes; one it was to write goes with its process's exit.
     *
     * @param launch from {@link #prepare}.
     */
    void discard(final Launch launch)
    {
        if (null == launch.temp)
        {
            try
            {
                Files.deleteIfExists(launch.archive);
                ctx.log("'" + launch.service + "' class-data archive " + launch.archive.getFileName() + " deleted: " +
                    "the launch that used it failed to start");
            }
            catch (final IOException ex)
            {
                ctx.log("cannot delete class-data archive " + launch.archive + ": " + ex);
            }
        }
    }

    /**
     * The JVM of a launch exited: keep the archive it wrote if the exit was clean (status 0, or 143 after its
     * shutdown on SIGTERM) and nothing it depends on changed meanwhile; otherwise delete what it wrote.
     *
     * @param launch from {@link #prepare}.
     * @param status the exit status, or -1 when the process did not exit.
     */
    void exited(final Launch launch, final int status)
    {
        if (null == launch.temp || !writing.remove(launch))
        {
            return;
        }
        final String archive = launch.archive.getFileName().toString();
        try
        {
            final long size = Files.isRegularFile(launch.temp) ? Files.size(launch.temp) : 0;
            final String problem;
            // A training run that was stopped wrote part of what it would have: only a clean end counts.
            if (0 != status && (launch.training || SIGTERM_STATUS != status))
            {
                problem = status < 0 ? "its process did not exit" : "pid " + launch.process.pid() +
                    " exited with status " + status;
            }
            else if (0 == size)
            {
                problem = "the JVM wrote none";
            }
            else if (!stillValid(launch))
            {
                problem = "what it depends on changed while it ran";
            }
            else
            {
                Files.move(launch.temp, launch.archive, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
                if (launch.training && !Files.exists(trainedMarker(launch.archive), LinkOption.NOFOLLOW_LINKS))
                {
                    Files.createFile(trainedMarker(launch.archive));
                }
                else
                {
                    Files.deleteIfExists(trainedMarker(launch.archive));
                }
                ctx.log("'" + launch.service + "' class-data archive " + archive + " saved (" + (size + 1023) / 1024 +
                    " KiB)");
                return;
            }
            Files.deleteIfExists(launch.temp);
            ctx.log("'" + launch.service + "' class-data archive " + archive + " not saved: " + problem);
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("'" + launch.service + "' class-data archive " + archive + " not saved: " + ex);
            try
            {
                Files.deleteIfExists(launch.temp);
            }
            catch (final IOException ignore)
            {
                // Swept by the next daemon.
            }
        }
    }

    /**
     * At daemon shutdown, once its instances were stopped: finish the archives whose JVMs exited meanwhile.
     */
    void close()
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        for (final Launch launch : new ArrayList<>(writing))
        {
            int status = -1;
            if (null != launch.process)
            {
                try
                {
                    if (launch.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                    {
                        status = launch.process.exitValue();
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            exited(launch, status);
        }
    }

    private boolean stillValid(final Launch launch)
    {
        try
        {
            return launch.fingerprint.equals(
                ClassDataFingerprint.of(launch.argv, launch.workingDirectory, launch.environment));
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /** The archives of a service other than the one it needs now (all of them when {@code keep} is null). */
    private List<String> deleteOthers(final String service, final Path keep) throws IOException
    {
        final Pattern others = Pattern.compile(Pattern.quote(service) + "-[0-9a-f]{" + ClassDataFingerprint.HEX_LENGTH +
            "}" + Pattern.quote(SUFFIX));
        final List<String> deleted = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (!file.equals(keep) && others.matcher(name).matches())
                {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(trainedMarker(file));
                    deleted.add(name);
                }
            }
        }
        return deleted;
    }

    private static Path trainedMarker(final Path archive)
    {
        return archive.resolveSibling(archive.getFileName() + TRAINED_SUFFIX);
    }

    /**
     * The flags must be JVM options: inserted, as one run, where {@code ${RINGPORT_JVM_OPTS}} stands, before the main
     * class.
     */
    private static void checkInserted(final List<String> without, final List<String> with, final List<String> flags)
    {
        if (with.equals(without))
        {
            throw new IllegalArgumentException("its command does not use ${RINGPORT_JVM_OPTS}");
        }
        final int common = Math.min(without.size(), with.size());
        int at = 0;
        while (at < common && without.get(at).equals(with.get(at)))
        {
            at++;
        }
        if (with.size() != without.size() + flags.size() || !with.subList(at, at + flags.size()).equals(flags) ||
            !with.subList(at + flags.size(), with.size()).equals(without.subList(at, without.size())))
        {
            throw new IllegalArgumentException("its command uses ${RINGPORT_JVM_OPTS} more than once or inside a word");
        }
        if (at > JavaCommandLine.parse(without).optionsEnd())
        {
            throw new IllegalArgumentException("its command has ${RINGPORT_JVM_OPTS} after the main class");
        }
    }
}
