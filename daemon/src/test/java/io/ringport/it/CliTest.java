package io.ringport.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ringport} command line as a user runs it: a separate process, its output and its exit code.
 */
class CliTest
{
    static final String[] ECHO = {
        "name = test.cli",
        "command = ${JAVA} ${RINGPORT_JVM_OPTS} -XX:+UseSerialGC -cp ${RINGPORT_CLASSPATH} io.ringport.examples.EchoService",
        "throttleInterval = 0s"};

    record Run(int exit, String out, String err)
    {
    }

    static Run ringport(final Path home, final String... args) throws Exception
    {
        final Path out = Files.createTempFile("ringport-cli-", ".out");
        final Path err = Files.createTempFile("ringport-cli-", ".err");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(Processes.java(io.ringport.cli.Main.class.getName(), args))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("RINGPORT_HOME", home.toString());
            final Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new AssertionError("ringport " + String.join(" ", args) + " did not finish");
            }
            return new Run(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void listPingAndShutdownFollowTheContract() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().define("echo.properties", ECHO).start())
        {
            final Run before = ringport(daemon.home, "list", "--json");
            assertEquals(0, before.exit(), before.err());
            assertEquals("[{\"name\":\"test.cli\",\"state\":\"IDLE\",\"pid\":0,\"launches\":0,\"connections\":0}]",
                before.out().trim());

            final Run ping = ringport(daemon.home, "ping", "test.cli", "--count", "500", "--size", "64", "--json");
            assertEquals(0, ping.exit(), ping.err());
            final Matcher json = Pattern.compile("\\{\"service\":\"test.cli\",\"count\":500,\"size\":64,\"lost\":0," +
                "\"first_ns\":(\\d+),\"rtt_ns\":\\{\"p50\":(\\d+),\"p90\":(\\d+),\"p99\":(\\d+),\"p99_9\":(\\d+)," +
                "\"max\":(\\d+)}}").matcher(ping.out().trim());
            assertTrue(json.matches(), ping.out());
            for (int group = 3; group <= 6; group++)
            {
                assertTrue(Long.parseLong(json.group(group)) >= Long.parseLong(json.group(group - 1)),
                    "percentiles ascend: " + ping.out());
            }

            final Run after = ringport(daemon.home, "list");
            assertEquals(0, after.exit(), after.err());
            assertTrue(after.out().matches("(?s)NAME +STATE +PID +LAUNCHES +CONNECTIONS\\s+test\\.cli +RUNNING +\\d+ +1 +0\\s*"),
                after.out());

            final Run text = ringport(daemon.home, "ping", "test.cli", "--count", "10");
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().contains("ping test.cli: 10 round trips of 32 B, 0 lost"), text.out());
            assertTrue(text.out().contains("p99.9"), text.out());

            final Run shutdown = ringport(daemon.home, "shutdown");
            assertEquals(0, shutdown.exit(), shutdown.err());
            assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertFalse(Files.exists(daemon.home));
        }
    }

    @Test
    void exitCodesSayWhatWentWrong() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().define("echo.properties", ECHO)
            .define("nothing.properties", "name = test.nothing", "command = /nonexistent/ringport-test-binary")
            .start())
        {
            final Run unknown = ringport(daemon.home, "ping", "test.none");
            assertEquals(4, unknown.exit(), unknown.err());
            assertTrue(unknown.err().contains("service 'test.none' is not registered (known: test.cli, test.nothing)"),
                unknown.err());

            final Run failed = ringport(daemon.home, "ping", "test.nothing", "--count", "1");
            assertEquals(5, failed.exit(), failed.err() + failed.out());
            assertTrue(failed.err().contains("cannot start /nonexistent/ringport-test-binary"), failed.err());
            TestDaemon.await("the failed connection's files removed",
                () -> daemon.ringFiles().stream().allMatch(n -> n.startsWith("port-")));

            final Run usage = ringport(daemon.home, "ping");
            assertEquals(2, usage.exit());
            assertTrue(usage.err().contains("usage: ringport ping NAME"), usage.err());
            assertEquals(2, ringport(daemon.home, "list", "--bogus").exit());
            assertEquals(2, ringport(daemon.home, "frobnicate").exit());
        }
        final Path nowhere = Files.createTempDirectory("ringport-nodaemon-");
        try
        {
            final Run unreachable = ringport(nowhere, "list");
            assertEquals(3, unreachable.exit());
            assertTrue(unreachable.err().contains("daemon not reachable at " + nowhere.resolve("bootstrap.sock")),
                unreachable.err());
        }
        finally
        {
            Files.delete(nowhere);
        }
    }

    @Test
    void demoRunsSelfContainedAndLeavesNothingBehind() throws Exception
    {
        final List<String> before = demoHomes();
        final Run demo = ringport(Path.of("/nonexistent-home-the-demo-must-not-use"), "demo");
        assertEquals(0, demo.exit(), demo.out() + demo.err());
        assertTrue(demo.out().contains("first message launched io.ringport.echo on demand"), demo.out());
        assertTrue(demo.out().matches("(?s).*ringport +[0-9.]+ [um]s.*unix socket.*tcp loopback.*"), demo.out());
        assertTrue(demo.out().contains("no file left behind"), demo.out());
        assertTrue(before.containsAll(demoHomes()), "the demo's home is gone: " + demoHomes());
    }

    private static List<String> demoHomes() throws IOException
    {
        try (var files = Files.list(Path.of("/dev/shm")))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ringport-demo-")).sorted()
                .toList();
        }
    }
}
