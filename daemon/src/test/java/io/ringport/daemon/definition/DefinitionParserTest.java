package io.ringport.daemon.definition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefinitionParserTest
{
    @TempDir
    Path dir;

    @Test
    void parsesEveryKey() throws Exception
    {
        // Properties files unescape backslashes once, so the file holds \\ where the command line has \.
        final Path file = write("echo.properties",
            "name = io.ringport.echo",
            "command = java \"-Dgreeting=hello world\" \"say \\\\\"hi\\\\\"\" 'it has  spaces' app\\\\ dir \\",
            "    ${RINGPORT_JVM_OPTS} Main",
            "environment.LANG = C.UTF-8",
            "environment.ECHO_MODE = loud",
            "workingDirectory = work/../run",
            "runAtLoad = YES",
            "keepAlive = true",
            "throttleInterval = 500ms",
            "startLimitBurst = 0",
            "startLimitInterval = 30s",
            "startTimeout = 2m",
            "exitTimeout = 7",
            "idleExit = 1h",
            "classDataSharing = no",
            "ring.port.capacity = 4k",
            "ring.c2s.capacity = 2MiB",
            "ring.s2c.capacity = 8192",
            "maxMessageLength = 1M",
            "allow.users = alice, bob,,",
            "allow.groups = staff");

        final ServiceDefinition definition = DefinitionParser.parse(file);

        assertEquals(file, definition.file());
        assertEquals("io.ringport.echo", definition.name());
        assertEquals(
            List.of("java", "-Dgreeting=hello world", "say \"hi\"", "it has  spaces", "app dir", "${RINGPORT_JVM_OPTS}",
                "Main"),
            definition.command());
        assertEquals(Map.of("LANG", "C.UTF-8", "ECHO_MODE", "loud"), definition.environment());
        assertEquals(Optional.of(dir.resolve("run")), definition.workingDirectory());
        assertTrue(definition.runAtLoad());
        assertTrue(definition.keepAlive());
        assertEquals(Duration.ofMillis(500), definition.throttleInterval());
        assertEquals(0, definition.startLimitBurst());
        assertEquals(Duration.ofSeconds(30), definition.startLimitInterval());
        assertEquals(Duration.ofMinutes(2), definition.startTimeout());
        assertEquals(Duration.ofSeconds(7), definition.exitTimeout());
        assertEquals(Optional.of(Duration.ofHours(1)), definition.idleExit());
        assertFalse(definition.classDataSharing());
        assertEquals(4096, definition.portCapacity());
        assertEquals(2 * 1024 * 1024, definition.c2sCapacity());
        assertEquals(8192, definition.s2cCapacity());
        assertEquals(1024 * 1024, definition.maxMessageLength());
        assertEquals(List.of("alice", "bob"), List.copyOf(definition.allowUsers()));
        assertEquals(Set.of("staff"), definition.allowGroups());
    }

    @Test
    void fillsDefaults() throws Exception
    {
        final Path file = write("echo.properties", "name=echo", "command=echo-server");

        final ServiceDefinition definition = DefinitionParser.parse(file);

        assertEquals(List.of("echo-server"), definition.command());
        assertEquals(Map.of(), definition.environment());
        assertEquals(Optional.empty(), definition.workingDirectory());
        assertFalse(definition.runAtLoad());
        assertFalse(definition.keepAlive());
        assertEquals(Duration.ofSeconds(10), definition.throttleInterval());
        assertEquals(5, definition.startLimitBurst());
        assertEquals(Duration.ofMinutes(5), definition.startLimitInterval());
        assertEquals(Duration.ofSeconds(30), definition.startTimeout());
        assertEquals(Duration.ofSeconds(5), definition.exitTimeout());
        assertEquals(Optional.empty(), definition.idleExit());
        assertTrue(definition.classDataSharing());
        assertEquals(64 * 1024, definition.portCapacity());
        assertEquals(16 * 1024 * 1024, definition.c2sCapacity());
        assertEquals(16 * 1024 * 1024, definition.s2cCapacity());
        assertEquals(16 * 1024 * 1024, definition.maxMessageLength());
        assertEquals(Set.of(), definition.allowUsers());
        assertEquals(Set.of(), definition.allowGroups());
        assertEquals("service 'echo' (" + file + ")", definition.toString());
    }

    @Test
    void rejectsBadDuration()
    {
        final Path file = write("echo.properties", "name=echo", "command=echo", "throttleInterval=10 parsecs");

        final DefinitionException ex = assertThrows(DefinitionException.class, () -> DefinitionParser.parse(file));

        assertEquals("definition " + file + ": key 'throttleInterval': not a duration: '10 parsecs' " +
            "(use e.g. 500ms, 10s, 2m)", ex.getMessage());
        assertEquals(file, ex.getFile());
        assertEquals("throttleInterval", ex.getKey());
        assertEquals("not a duration: '10 parsecs' (use e.g. 500ms, 10s, 2m)", ex.getReason());
    }

    @Test
    void rejectsBadValuesNamingKeyAndReason()
    {
        assertRejected("name", "service name 'a/b' has character '/' at 1", "name=a/b", "command=x");
        assertRejected("idleExit", "must not be negative: '-5s'", "name=a", "command=x", "idleExit=-5s");
        assertRejected("startTimeout", "must be more than zero: '0ms'", "name=a", "command=x", "startTimeout=0ms");
        assertRejected("ring.c2s.capacity", "ring capacity must be a power of two from 4KiB to 256MiB: '3000'",
            "name=a", "command=x", "ring.c2s.capacity=3000");
        assertRejected("ring.port.capacity", "ring capacity must be a power of two from 4KiB to 256MiB: '512m'",
            "name=a", "command=x", "ring.port.capacity=512m");
        assertRejected("maxMessageLength", "not a size: '1 GB' (use e.g. 4096, 64k, 1MiB)",
            "name=a", "command=x", "maxMessageLength=1 GB");
        assertRejected("maxMessageLength", "must be from 1 byte to 1024MiB: '0'",
            "name=a", "command=x", "maxMessageLength=0");
        assertRejected("comand",
            "unknown key (known: allow.groups, allow.users, classDataSharing, command, environment.NAME, ",
            "name=a", "comand=x");
        assertRejected("keepAlive", "not a boolean: 'maybe' (use true, false, yes or no)",
            "name=a", "command=x", "keepAlive=maybe");
        assertRejected("classDataSharing", "not a boolean: 'off' (use true, false, yes or no)",
            "name=a", "command=x", "classDataSharing=off");
        assertRejected("command", "unterminated double quote opened at character 6: 'echo \"hi'",
            "name=a", "command=echo \"hi");
        assertRejected("command", "unterminated single quote opened at character 1: ''hi'", "name=a", "command='hi");
        assertRejected("command", "unterminated ${ in '-D${X'", "name=a", "command=java -D${X");
        assertRejected("command", "is empty", "name=a", "command=  ");
        assertRejected("startLimitBurst", "must be a whole number from 0 (no limit) to 1000: '-1'",
            "name=a", "command=x", "startLimitBurst=-1");
        assertRejected("startLimitBurst", "must be a whole number from 0 (no limit) to 1000: 'five'",
            "name=a", "command=x", "startLimitBurst=five");
        assertRejected("startLimitInterval", "must be more than zero: '0s'",
            "name=a", "command=x", "startLimitInterval=0s");
        assertRejected("command", "missing", "name=a");
        assertRejected("environment.1X", "not an environment variable name: '1X'",
            "name=a", "command=x", "environment.1X=y");
    }

    @Test
    void escapesControlCharactersAndCapsLongValues()
    {
        assertRejected("keepAlive", "not a boolean: 'ye\\x07s\\x0ano'",
            "name=a", "command=x", "keepAlive=ye\\u0007s\\nno");
        assertRejected("throttleInterval", "not a duration: '" + "9".repeat(200) + "...' (use",
            "name=a", "command=x", "throttleInterval=" + "9".repeat(5000));
    }

    @Test
    void rejectsRelativeWorkingDirectoryOfRelativeFile()
    {
        final Properties props = new Properties();
        props.setProperty("name", "echo");
        props.setProperty("command", "echo");
        props.setProperty("workingDirectory", "work");
        final Path file = Path.of("services", "echo.properties");

        final DefinitionException ex =
            assertThrows(DefinitionException.class, () -> DefinitionParser.parse(file, props));

        assertTrue(ex.getMessage().startsWith(
            "definition services/echo.properties: key 'workingDirectory': relative path 'work' resolves to " +
            "'services/work', which is not absolute"), ex.getMessage());
    }

    @Test
    void rejectsUnreadableAndOversizedFiles() throws IOException
    {
        final Path missing = dir.resolve("missing.properties");
        final DefinitionException unreadable =
            assertThrows(DefinitionException.class, () -> DefinitionParser.parse(missing));
        assertEquals("definition " + missing + ": cannot read: java.nio.file.NoSuchFileException: " + missing,
            unreadable.getMessage());

        final Path large = write("large.properties", "name=a", "command=x", "#" + "x".repeat(64 * 1024));
        final DefinitionException oversized =
            assertThrows(DefinitionException.class, () -> DefinitionParser.parse(large));
        assertEquals("definition " + large + ": file is larger than 65536 bytes", oversized.getMessage());

        final Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, new byte[]{'n', 'a', 'm', 'e', '=', (byte)0xE9});
        assertEquals("file is not valid UTF-8",
            assertThrows(DefinitionException.class, () -> DefinitionParser.parse(latin1)).getReason());
    }

    @Test
    void loadsDirectoryPastBadFiles() throws IOException
    {
        write("a.properties", "name=alpha", "command=alpha");
        final Path bad = write("b.properties", "name=beta", "command=beta", "keepAlive=sometimes");
        write("c.properties", "name=gamma", "command=gamma");
        write("notes.txt", "not a definition");
        Files.createDirectory(dir.resolve("d.properties"));

        final LoadResult result = DefinitionParser.loadDirectory(dir);

        assertEquals(List.of("alpha", "gamma"), result.definitions().stream().map(ServiceDefinition::name).toList());
        assertEquals(1, result.errors().size());
        assertEquals(bad, result.errors().get(0).getFile());
        assertEquals("keepAlive", result.errors().get(0).getKey());
    }

    @Test
    void loadsNothingFromMissingDirectory()
    {
        final LoadResult result = DefinitionParser.loadDirectory(dir.resolve("absent"));

        assertEquals(List.of(), result.definitions());
        assertEquals(List.of(), result.errors());
    }

    @Test
    void rejectsSecondDefinitionOfTheSameName()
    {
        final Path first = write("a.properties", "name=x", "command=one");
        final Path second = write("b.properties", "name=x", "command=two");

        final LoadResult result = DefinitionParser.loadDirectory(dir);

        assertEquals(List.of(List.of("one")), result.definitions().stream().map(ServiceDefinition::command).toList());
        assertEquals(1, result.errors().size());
        assertEquals("definition " + second + ": key 'name': service 'x' is already defined by " + first,
            result.errors().get(0).getMessage());
    }

    @Test
    void resolvesCommandVariables() throws Exception
    {
        final ServiceDefinition definition = DefinitionParser.parse(write("echo.properties",
            "name=echo",
            "command=java ${RINGPORT_JVM_OPTS} ${JAVA} -cp ${RINGPORT_CLASSPATH} \"-Dname=${RINGPORT_HOME}\" \\",
            "    Main $$HOME 'cost $$5' $${X}"));

        final List<String> argv = definition.resolveCommand(Map.of(
            "RINGPORT_JVM_OPTS", List.of("-Xmx1g", "-XX:+UseZGC"),
            "JAVA", List.of(),
            "RINGPORT_CLASSPATH", List.of("app.jar"),
            "RINGPORT_HOME", List.of("x", "y")));

        assertEquals(List.of("java", "-Xmx1g", "-XX:+UseZGC", "-cp", "app.jar", "-Dname=x y", "Main", "$HOME",
            "cost $5", "${X}"), argv);
        assertEquals("${RINGPORT_JVM_OPTS}", definition.command().get(1));
    }

    @Test
    void rejectsUnknownCommandVariableAtLoadAndAtLaunch() throws Exception
    {
        assertRejected("command", "unknown variable ${NOPE} (known: DEFINITION_DIR, JAVA, RINGPORT_CLASSPATH, " +
            "RINGPORT_HOME, RINGPORT_JVM_OPTS)", "name=echo", "command=run -x${NOPE}");

        final ServiceDefinition definition =
            DefinitionParser.parse(write("echo.properties", "name=echo", "command=run -x${JAVA}"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> definition.resolveCommand(Map.of("B", List.of(), "A", List.of("a"))));
        assertEquals("command of service 'echo': unknown variable ${JAVA} (known: A, B)", ex.getMessage());
    }

    private void assertRejected(final String key, final String reason, final String... lines)
    {
        final Path file = write("bad.properties", lines);

        final DefinitionException ex = assertThrows(DefinitionException.class, () -> DefinitionParser.parse(file));

        final String prefix = "definition " + file + ": key '" + key + "': ";
        assertTrue(ex.getMessage().startsWith(prefix + reason), ex.getMessage());
        assertEquals(key, ex.getKey());
    }

    private Path write(final String name, final String... lines)
    {
        final Path file = dir.resolve(name);
        try
        {
            Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot write " + file, ex);
        }
        return file;
    }
}
