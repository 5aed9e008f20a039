package io.ringport.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the daemon reads a java command line for its class path, and what changes the identity of its class-data
 * archive.
 */
class ClassDataFingerprintTest
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin");

    @TempDir
    Path dir;

    @Test
    void readsTheClassPathOfTheJvmOptionsUpToTheMainClass()
    {
        final JavaCommandLine command = JavaCommandLine.parse(List.of(JAVA, "-Dx=1", "-cp", "old.jar",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-classpath", "a.jar:b.jar", "app.Main",
            "-cp", "argument.jar"));
        assertEquals(new JavaCommandLine(JAVA, "a.jar:b.jar", false, 8), command, "the last option before the class");

        assertEquals(new JavaCommandLine(JAVA, "c.jar", false, 2),
            JavaCommandLine.parse(List.of(JAVA, "--class-path=c.jar", "Main")));
        assertEquals(new JavaCommandLine(JAVA, "d.jar", false, 3),
            JavaCommandLine.parse(List.of(JAVA, "--class-path", "d.jar", "Main")));
        assertEquals(new JavaCommandLine(JAVA, "app:1.jar", true, 3),
            JavaCommandLine.parse(List.of(JAVA, "-cp", "ignored.jar", "-jar", "app:1.jar", "-cp", "x")),
            "-jar names one file and ends the options");
    }

    @Test
    void refusesCommandsAnArchiveCannotServe()
    {
        assertRefused("its command has no -cp, -classpath, --class-path or -jar before the main class",
            JAVA, "Main", "-cp", "late.jar");
        assertRefused("it uses the module path (-p)", JAVA, "-cp", "a.jar", "-p", "mods", "Main");
        assertRefused("it uses the module path (--module-path=mods)", JAVA, "--module-path=mods", "-cp", "a.jar", "M");
        assertRefused("it uses the module path (-m)", JAVA, "-cp", "a.jar", "-m", "app/app.Main");
        assertRefused("its command sets class-data sharing itself (-Xshare:off)", JAVA, "-Xshare:off", "-cp", "a", "M");
        assertRefused("its command sets class-data sharing itself (-XX:SharedArchiveFile=x.jsa)",
            JAVA, "-XX:SharedArchiveFile=x.jsa", "-cp", "a.jar", "Main");
        assertRefused("its command loads a native agent (-agentlib:jdwp=transport=dt_socket), which the JVM does " +
            "not combine with writing an archive", JAVA, "-agentlib:jdwp=transport=dt_socket", "-cp", "a.jar", "Main");
        assertRefused("it reads JVM options from an argument file (@options)", JAVA, "@options", "Main");
        assertRefused("-cp has no value", JAVA, "-cp");
    }

    @Test
    void theSameLaunchHasTheSameFingerprintAndAChangedJarOrCommandAnotherOne() throws Exception
    {
        final Path a = jar("a.jar", null);
        final Path b = jar("b.jar", null);
        final List<String> argv = List.of(JAVA, "-Xss512k", "-cp", a + ":b.jar", "app.Main");
        final String first = ClassDataFingerprint.of(argv, dir, ENVIRONMENT);
        assertEquals(ClassDataFingerprint.HEX_LENGTH, first.length());
        assertTrue(first.matches("[0-9a-f]+"), first);
        assertEquals(first, ClassDataFingerprint.of(argv, dir, ENVIRONMENT));

        final FileTime earlier = FileTime.from(Instant.now().minusSeconds(60));
        Files.setLastModifiedTime(b, earlier);
        final String touched = ClassDataFingerprint.of(argv, dir, ENVIRONMENT);
        assertNotEquals(first, touched, "a jar with another modification time");
        Files.write(b, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(b, earlier);
        assertNotEquals(touched, ClassDataFingerprint.of(argv, dir, ENVIRONMENT), "a jar of another size, same time");

        final String now = ClassDataFingerprint.of(argv, dir, ENVIRONMENT);
        assertNotEquals(now, ClassDataFingerprint.of(List.of(JAVA, "-Xss1m", "-cp", a + ":b.jar", "app.Main"), dir,
            ENVIRONMENT), "another JVM option");
        assertNotEquals(now, ClassDataFingerprint.of(argv, dir, Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m")),
            "JVM options from the environment");
        assertEquals(now, ClassDataFingerprint.of(argv, dir, Map.of("HOME", "/elsewhere")),
            "other variables do not count");
    }

    @Test
    void followsWildcardsAndManifestClassPaths() throws Exception
    {
        final Path lib = Files.createDirectory(dir.resolve("lib"));
        jar("lib/one.jar", null);
        final Path app = jar("app.jar", "lib/dep.jar lib/optional.jar");
        final List<String> wildcard = List.of(JAVA, "-cp", "lib/*", "Main");
        final List<String> withJar = List.of(JAVA, "-jar", app.toString());
        final String before = ClassDataFingerprint.of(wildcard, dir, ENVIRONMENT);
        final String jarBefore = ClassDataFingerprint.of(withJar, dir, ENVIRONMENT);

        final Path dep = jar("lib/dep.jar", null);
        assertNotEquals(before, ClassDataFingerprint.of(wildcard, dir, ENVIRONMENT), "a new jar in lib/*");
        final String jarAfter = ClassDataFingerprint.of(withJar, dir, ENVIRONMENT);
        assertNotEquals(jarBefore, jarAfter, "a missing jar of the manifest's Class-Path appeared");
        Files.setLastModifiedTime(dep, FileTime.from(Instant.now().minusSeconds(60)));
        assertNotEquals(jarAfter, ClassDataFingerprint.of(withJar, dir, ENVIRONMENT), "a manifest's jar changed");

        Files.createDirectory(lib.resolve("optional.jar"));
        assertRefused("the manifest of " + app + " puts a directory on its class path: " + lib.resolve("optional.jar"),
            withJar);
    }

    @Test
    void refusesDirectoriesMissingEntriesAndProgramsThatAreNotJava() throws Exception
    {
        jar("a.jar", null);
        Files.createDirectory(dir.resolve("classes"));
        assertRefused("its class path has a directory: " + dir.resolve("classes"),
            JAVA, "-cp", "a.jar:classes", "Main");
        assertRefused("its class path entry " + dir.resolve("gone.jar") + " does not exist",
            JAVA, "-cp", "a.jar:gone.jar", "Main");
        assertRefused("its class path has an empty entry, which means the working directory " + dir,
            JAVA, "-cp", "a.jar:", "Main");
        assertRefused("its program /bin/sh is not a java launcher", "/bin/sh", "-cp", "a.jar", "Main");
        assertRefused("its program 'no-such-java' is not on PATH", "no-such-java", "-cp", "a.jar", "Main");
        final IllegalArgumentException fromEnvironment = assertThrows(IllegalArgumentException.class,
            () -> ClassDataFingerprint.of(List.of(JAVA, "-cp", "a.jar", "Main"), dir,
            Map.of("JDK_JAVA_OPTIONS", " -Xss1m -Xshare:off")));
        assertEquals("its environment sets class-data sharing itself (JDK_JAVA_OPTIONS has -Xshare:off)",
            fromEnvironment.getMessage());
        final IllegalArgumentException agent = assertThrows(IllegalArgumentException.class,
            () -> ClassDataFingerprint.of(List.of(JAVA, "-cp", "a.jar", "Main"), dir,
            Map.of("JAVA_TOOL_OPTIONS", "-agentpath:/opt/profiler/lib.so=start")));
        assertEquals("its environment loads a native agent (JAVA_TOOL_OPTIONS has " +
            "-agentpath:/opt/profiler/lib.so=start), which the JVM does not combine with writing an archive",
            agent.getMessage());

        final Path bin = Files.createDirectories(dir.resolve("jdk").resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), Path.of(JAVA));
        final List<String> found = List.of("java", "-cp", "a.jar", "Main");
        assertEquals(ClassDataFingerprint.of(found, dir, Map.of("PATH", "/nowhere:" + bin)),
            ClassDataFingerprint.of(found, dir, Map.of("PATH", bin.toString())),
            "the launcher found on PATH, by its real path");
    }

    private void assertRefused(final String reason, final String... argv)
    {
        assertRefused(reason, List.of(argv));
    }

    private void assertRefused(final String reason, final List<String> argv)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ClassDataFingerprint.of(argv, dir, ENVIRONMENT));
        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
        assertFalse(refused.getMessage().isEmpty());
    }

    private Path jar(final String name, final String classPath) throws IOException
    {
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (null != classPath)
        {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        final Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest))
        {
            jar.flush();
        }
        return file;
    }
}
