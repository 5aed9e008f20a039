package io.ringport.it;

import io.ringport.client.Ringport;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static io.ringport.it.TestDaemon.DEADLINE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class-data archives of launched JVMs: made by a clean exit, used by the next launch, remade when a jar changes,
 * and never offered where they cannot work. The test service runs from jars: the test class path with its
 * directories (target/classes, target/test-classes) packed into jars.
 */
class ClassDataSharingTest
{
    private static final String SHARED_ARCHIVE_FILE = "-XX:SharedArchiveFile=";
    private static final String ARCHIVE_CLASSES_AT_EXIT = "-XX:ArchiveClassesAtExit=";

    private static Path jarDir;
    private static String jarClassPath;
    /** The jar of the test classes, TestService among them. */
    private static Path testClassesJar;

    @BeforeAll
    static void packTheClassPathIntoJars() throws IOException
    {
        jarDir = Files.createTempDirectory("ringport-test-scratch-jars-");
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path path = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(path))
            {
                final Path jar = jarDir.resolve(entries.size() + "-" + path.getFileName() + ".jar");
                pack(path, jar);
                entries.add(jar.toString());
                if (Files.exists(path.resolve(TestService.class.getName().replace('.', '/') + ".class")))
                {
                    testClassesJar = jar;
                }
            }
            else if (!entry.isEmpty())
            {
                entries.add(path.toString());
            }
        }
        jarClassPath = String.join(java.io.File.pathSeparator, entries);
    }

    @AfterAll
    static void removeJars()
    {
        IoUtil.delete(jarDir.toFile(), false);
    }

    @Test
    void anArchiveIsSavedByACleanExitUsedByTheNextLaunchAndMadeAgainWhenAJarChanges() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create())
        {
            daemon.define("cds.properties", jarService(daemon, "test.cds")).start();
            final Path cds = daemon.home.resolve("cds");
            try (Ringport ringport = daemon.open())
            {
                // A killed instance writes nothing: no archive, no temporary file.
                ringport.kickstart("test.cds", false, DEADLINE);
                final long killed = daemon.service("test.cds").pid();
                final Path archive = Path.of(creating(daemon.log(), "test.cds"));
                assertEquals(cds, archive.getParent());
                assertTrue(archive.getFileName().toString().matches("test\\.cds-[0-9a-f]{16}\\.jsa"), archive.toString());
                ProcessHandle.of(killed).orElseThrow().destroyForcibly();
                final String notSaved = "'test.cds' class-data archive " + archive.getFileName() + " not saved: pid " +
                    killed + " exited with status 137";
                TestDaemon.await(notSaved, () -> daemon.log().contains(notSaved));
                assertEquals(List.of(), files(cds));

                // The next launch tries again, and its clean exit saves the archive.
                ringport.kickstart("test.cds", false, DEADLINE);
                final long writer = daemon.service("test.cds").pid();
                final List<String> writerArgs = commandLine(writer);
                assertTrue(writerArgs.stream().anyMatch(a -> a.startsWith(ARCHIVE_CLASSES_AT_EXIT + archive + ".") &&
                    a.endsWith(".tmp")), writerArgs.toString());
                assertTrue(writerArgs.contains("-Xlog:cds=off,cds+dynamic=off"), writerArgs.toString());
                assertEquals(archive, Path.of(creating(daemon.log(), "test.cds")), "the same launch, the same name");
                ringport.stop("test.cds", DEADLINE);
                assertTrue(daemon.log().matches("(?s).*'test\\.cds' class-data archive " +
                    Pattern.quote(archive.getFileName().toString()) + " saved \\(\\d+ KiB\\).*"), daemon.log());
                assertEquals(List.of(archive.getFileName().toString()), files(cds));

                // The next launch maps it.
                assertEquals("up", new String(ringport.connect("test.cds").requestSync(bytes("Eup"), TIMEOUT)
                    .toByteArray(), UTF_8));
                final long reader = daemon.service("test.cds").pid();
                assertTrue(daemon.log().contains("'test.cds' launching with class-data archive " + archive));
                assertTrue(commandLine(reader).contains(SHARED_ARCHIVE_FILE + archive), commandLine(reader).toString());
                assertTrue(Files.readString(Path.of("/proc", Long.toString(reader), "maps")).contains(archive.toString()),
                    "the JVM mapped the archive: it accepted it");
                ringport.stop("test.cds", DEADLINE);

                // A jar of the class path changes: another name, and the old archive goes.
                Files.setLastModifiedTime(testClassesJar, FileTime.from(Instant.now().minusSeconds(60)));
                ringport.kickstart("test.cds", false, DEADLINE);
                final Path remade = Path.of(creating(daemon.log(), "test.cds"));
                assertNotEquals(archive, remade);
                assertTrue(daemon.log().contains("creating " + remade + " as it exits (deleted " +
                    archive.getFileName() + ", made for another command, class path or JDK)"), daemon.log());
                assertFalse(Files.exists(archive));

                // The daemon's shutdown stops the instance, and keeps what it wrote.
                ringport.shutdownDaemon();
            }
            assertTrue(daemon.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "daemon shut down");
            assertTrue(daemon.log().contains("'test.cds' class-data archive " + remade(daemon) + " saved ("),
                daemon.log());
            assertEquals(List.of(remade(daemon)), files(cds), "archives outlive the daemon");
        }
    }

    @Test
    void aServiceIsTrainedForItsArchiveBeforeItsFirstLaunchWhichMapsIt() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().classDataTraining())
        {
            // Every JVM of the service logs where each class came from: the first launch should find all in the archive.
            final Path classLog = daemon.scratch.resolve("classes");
            daemon.define("trained.properties", jarService(daemon, "test.trained",
                "environment.JAVA_TOOL_OPTIONS = -Xlog:class+load:file=" + classLog + "-%p.log")).start();
            final Path cds = daemon.home.resolve("cds");
            final Pattern saved = Pattern.compile("'test\\.trained' class-data archive (\\S+) saved \\(\\d+ KiB\\)");
            TestDaemon.await("the training run saved an archive", () -> saved.matcher(daemon.log()).find());
            final String log = daemon.log();
            assertTrue(log.contains("'test.trained' training: creating " + cds), log);
            assertTrue(log.matches("(?s).*'test\\.trained' training its class-data archive as pid \\d+.*" +
                "'test\\.trained' training run pid \\d+ exited with status 0.*"), log);
            final List<String> archives = files(cds);
            assertEquals(2, archives.size(), archives.toString());
            assertTrue(archives.get(1).equals(archives.get(0) + ".trained"), "the archive and its mark " + archives);
            assertEquals(0, daemon.service("test.trained").launches(), "trained, not launched");
            TestDaemon.await("the training run's directory removed", () -> trainingDirs(daemon).isEmpty());

            try (Ringport ringport = daemon.open())
            {
                assertEquals("up", new String(ringport.connect("test.trained").requestSync(bytes("Eup"), TIMEOUT)
                    .toByteArray(), UTF_8));
                final long pid = daemon.service("test.trained").pid();
                final List<String> args = commandLine(pid);
                assertTrue(args.contains(SHARED_ARCHIVE_FILE + cds.resolve(archives.get(0))), args.toString());

                // It serves the first launch only: the next one makes a full archive in its place.
                ringport.stop("test.trained", DEADLINE);
                // In all its life no class of the service's, Ringport's or a library's came from its jar (a JVM opens
                // a jar and reads its whole directory for the first class it takes from it).
                final List<String> loads = Files.readAllLines(Path.of(classLog + "-" + pid + ".log"));
                assertTrue(loads.stream().anyMatch(line -> line.contains(" source: shared objects file")), "mapped");
                assertEquals(List.of(), loads.stream().filter(line -> line.contains(" source: file:")).toList());
                ringport.kickstart("test.trained", false, DEADLINE);
                final List<String> next = commandLine(daemon.service("test.trained").pid());
                assertTrue(next.stream().anyMatch(a -> a.startsWith(ARCHIVE_CLASSES_AT_EXIT + cds.resolve(
                    archives.get(0)) + ".")), next.toString());
                assertTrue(daemon.log().contains("in place of the trained one"), daemon.log());
                ringport.stop("test.trained", DEADLINE);
                assertEquals(List.of(archives.get(0)), files(cds), "the full archive, without the mark");
            }
        }
    }

    @Test
    void unregisteringAServiceDeletesItsArchive() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create())
        {
            daemon.define("gone.properties", jarService(daemon, "test.gone")).start();
            final Path cds = daemon.home.resolve("cds");
            try (Ringport ringport = daemon.open())
            {
                ringport.kickstart("test.gone", false, DEADLINE);
                final Path archive = Path.of(creating(daemon.log(), "test.gone"));
                ringport.stop("test.gone", DEADLINE);
                assertEquals(List.of(archive.getFileName().toString()), files(cds), "saved by the clean exit");

                ringport.unregister("test.gone", DEADLINE);
                assertEquals(List.of(), files(cds));
                assertTrue(daemon.log().contains("'test.gone' unregistered: deleted class-data archive " +
                    archive.getFileName()), daemon.log());
            }
        }
    }

    @Test
    void noArchiveForADirectoryOnTheClassPathForAServiceThatOptsOutOrWhenTheDaemonTurnsItOff() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create())
        {
            final Path archives = daemon.scratch.resolve("archives");
            daemon.options("--class-data-dir", archives.toString())
                .defineTestService("test.dirs")
                .define("optout.properties", jarService(daemon, "test.optout", "classDataSharing = false"))
                .start();
            try (Ringport ringport = daemon.open())
            {
                for (final String name : List.of("test.dirs", "test.optout"))
                {
                    assertEquals("up", new String(ringport.connect(name).requestSync(bytes("Eup"), TIMEOUT)
                        .toByteArray(), UTF_8));
                    assertNoClassDataFlags(daemon.service(name).pid());
                }
            }
            final String log = daemon.log();
            assertTrue(log.contains("class-data archives in " + archives), log);
            assertTrue(log.contains("class-data sharing off for 'test.dirs': its class path has a directory: "), log);
            assertTrue(log.contains("class-data sharing off for 'test.optout': classDataSharing = false in " +
                daemon.services.resolve("optout.properties")), log);
            assertFalse(Files.exists(archives), "made only when an archive is");
        }

        try (TestDaemon daemon = TestDaemon.create())
        {
            daemon.options("--no-class-data-sharing").define("jars.properties", jarService(daemon, "test.jars")).start();
            try (Ringport ringport = daemon.open())
            {
                assertEquals("up", new String(ringport.connect("test.jars").requestSync(bytes("Eup"), TIMEOUT)
                    .toByteArray(), UTF_8));
                assertNoClassDataFlags(daemon.service("test.jars").pid());
            }
            assertTrue(daemon.log().contains("class-data sharing off for every service"), daemon.log());
            assertFalse(Files.exists(daemon.home.resolve("cds")));
        }

        try (TestDaemon daemon = TestDaemon.create())
        {
            // Another user of the group could plant an archive here for the daemon to hand to a service JVM.
            final Path shared = daemon.scratch.resolve("group-writable");
            Files.createDirectory(shared);
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
            daemon.options("--class-data-dir", shared.toString())
                .define("jars.properties", jarService(daemon, "test.shared")).start();
            try (Ringport ringport = daemon.open())
            {
                assertEquals("up", new String(ringport.connect("test.shared").requestSync(bytes("Eup"), TIMEOUT)
                    .toByteArray(), UTF_8));
                assertNoClassDataFlags(daemon.service("test.shared").pid());
            }
            assertTrue(daemon.log().contains("class-data sharing off for 'test.shared': " + shared +
                " must be owned by " + System.getProperty("user.name") + " and writable by nobody else"), daemon.log());
            assertEquals(List.of(), files(shared));
        }
    }

    /** The test service's definition, launched from jars only. */
    private static String[] jarService(final TestDaemon daemon, final String name, final String... extra)
    {
        // Writing the archive as it exits takes a JVM 0.3-0.6 s here: give it room before SIGKILL would cut it short.
        final String[] lines = Arrays.copyOf(extra, extra.length + 1);
        lines[extra.length] = "exitTimeout = 30s";
        return Arrays.stream(daemon.testService(name, lines))
            .map(line -> line.replace("${RINGPORT_CLASSPATH}", jarClassPath))
            .toArray(String[]::new);
    }

    /** The archive the last launch of a service is making, as the daemon logged it. */
    private static String creating(final String log, final String service)
    {
        final Matcher matcher = Pattern.compile("'" + Pattern.quote(service) +
            "' launching without a class-data archive: creating (\\S+) as it exits").matcher(log);
        String last = null;
        while (matcher.find())
        {
            last = matcher.group(1);
        }
        assertTrue(null != last, log);
        return last;
    }

    private static String remade(final TestDaemon daemon)
    {
        return Path.of(creating(daemon.log(), "test.cds")).getFileName().toString();
    }

    private static void assertNoClassDataFlags(final long pid) throws IOException
    {
        final List<String> args = commandLine(pid);
        assertTrue(args.stream().noneMatch(a -> a.startsWith(SHARED_ARCHIVE_FILE) ||
            a.startsWith(ARCHIVE_CLASSES_AT_EXIT) || a.startsWith("-Xlog:cds")), args.toString());
    }

    private static List<String> commandLine(final long pid) throws IOException
    {
        return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), UTF_8).split("\0"));
    }

    private static List<String> trainingDirs(final TestDaemon daemon)
    {
        try
        {
            return files(daemon.home).stream().filter(name -> name.startsWith("training-")).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static List<String> files(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void pack(final Path dir, final Path jar) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
            Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).sorted().toList())
            {
                zip.putNextEntry(new JarEntry(dir.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }
}
