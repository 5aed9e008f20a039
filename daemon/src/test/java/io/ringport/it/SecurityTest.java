package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage;
import io.ringport.daemon.ServiceCounter;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.buffer;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may claim a name and who may connect: the check-in token and the launched pid, one check-in per launch,
 * allow-lists from the kernel's peer credentials, and service names that can never name a path.
 */
class SecurityTest
{
    @Test
    void onlyTheLaunchedProcessWithItsTokenChecksInAndOnlyOnce() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create())
        {
            final Path gate = daemon.scratch.resolve("gate");
            daemon.defineTestService("test.guarded",
                "command = /bin/sh -c 'while [ ! -e \"$1\" ]; do sleep 0.02; done; shift; exec \"$@\"' gate " + gate +
                    " ${JAVA} ${RINGPORT_JVM_OPTS} -XX:+UseSerialGC -cp ${RINGPORT_CLASSPATH} " +
                    TestService.class.getName()).start();
            try (Ringport ringport = daemon.open(); RawSession impostor = new RawSession(daemon.home).hello())
            {
                final Connection connection = ringport.connect("test.guarded").resume();
                final CompletableFuture<Message> reply = connection.request(buffer("Ehello"), 0, 6);
                final long launched = daemon.service("test.guarded").pid();
                final String token = environment(launched, RingportEnvironment.CHECKIN_TOKEN);

                assertRefused(impostor.call(new ControlMessage.CheckIn("test.guarded", "0".repeat(32))),
                    "check-in for 'test.guarded' refused: the check-in token is not the one it was launched with");
                assertRefused(impostor.call(new ControlMessage.CheckIn("test.guarded", token)),
                    "check-in for 'test.guarded' refused: pid " + ProcessHandle.current().pid() + " is not the " +
                    "launched process " + launched + " or one of its children");
                assertEquals("LAUNCHING", daemon.service("test.guarded").state(), "a stolen token claims nothing");

                Files.createFile(gate);
                assertEquals("hello", new String(reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).toByteArray()));
                daemon.running("test.guarded");
                assertRefused(impostor.call(new ControlMessage.CheckIn("test.guarded", token)),
                    "check-in for 'test.guarded' refused: it is already checked in by pid " + launched);
                assertEquals("CHECK_IN_REFUSED: check-in for 'test.guarded' refused: it is already checked in by pid " +
                    launched, new String(connection.requestSync(bytes("K"), TIMEOUT).toByteArray(), UTF_8),
                    "not even the launched process checks in twice");
                assertEquals(launched, daemon.service("test.guarded").pid());
            }
        }
    }

    @Test
    void aLaunchedServiceServesAtOnceButStopsWhenTheDaemonRefusesItsCheckIn() throws Exception
    {
        final TestDaemon created = TestDaemon.create();
        final String[] lines = created.testService("test.forged");
        for (int i = 0; i < lines.length; i++)
        {
            if (lines[i].startsWith("command = "))
            {
                // The service inherits its port, but a token that is not the one the daemon launched it with.
                lines[i] = "command = /usr/bin/env " + RingportEnvironment.CHECKIN_TOKEN + "=" + "0".repeat(32) + " " +
                    lines[i].substring("command = ".length());
            }
        }
        try (TestDaemon daemon = created.define("forged.properties", lines).start(); Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.forged").setEventHandler(events).resume();
            connection.send(bytes("launch"));
            // It accepted the connection before the daemon's answer came, then its listener's default termination
            // handler closed it: the client is told, and the daemon counts an instance that was up, then left.
            events.await(ConnectionEvent.CLOSED);
            TestDaemon.await("the refused instance gone", () -> "EXITED".equals(daemon.service("test.forged").state()));
            assertEquals(0, daemon.stats("test.forged").get(ServiceCounter.CRASHES));
            assertTrue(daemon.log().contains("test.forged: check-in failed, stopping: check-in for 'test.forged' " +
                "refused: the check-in token is not the one it was launched with"), daemon.log());
        }
    }

    @Test
    void allowListsAdmitOnlyTheUsersAndGroupsTheyName() throws Exception
    {
        final String user = System.getProperty("user.name");
        final String group = Files.readAttributes(Path.of("/proc/self"), PosixFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS).group().getName();
        try (TestDaemon daemon = TestDaemon.create()
            .defineTestService("test.others", "allow.users = ringport-nobody", "allow.groups = ringport-nogroup")
            .defineTestService("test.mine", "allow.users = ringport-nobody, " + user)
            .defineTestService("test.ourgroup", "allow.groups = " + group)
            .start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection denied = ringport.connect("test.others").setEventHandler(events).resume();
            final RingportException ex = assertThrows(RingportException.class, () -> denied.send(bytes("x")));
            assertEquals(ErrorCode.DENIED, ex.code());
            assertEquals("service 'test.others' does not allow user '" + user + "' (group '" + group + "'): add the " +
                "user to allow.users or the group to allow.groups in " +
                daemon.services.resolve("test.others.properties"), ex.getMessage());
            assertEquals(ex.getMessage(), events.await(ConnectionEvent.INVALIDATED).reason());
            assertEquals(0, daemon.service("test.others").launches(), "nothing launched for a denied caller");
            final CliTest.Run ping = daemon.cli("ping", "test.others", "--count", "1");
            assertEquals(5, ping.exit());
            assertTrue(ping.err().contains("does not allow user '" + user + "'"), ping.err());

            assertEquals("mine", new String(ringport.connect("test.mine").requestSync(bytes("Emine"), TIMEOUT)
                .toByteArray()));
            assertEquals("ours", new String(ringport.connect("test.ourgroup").requestSync(bytes("Eours"), TIMEOUT)
                .toByteArray()));
        }
    }

    @Test
    void serviceNamesThatCouldNameAPathAreRefusedEverywhere() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.named").start();
            Ringport ringport = daemon.open();
            RawSession raw = new RawSession(daemon.home).hello())
        {
            assertBadName(raw.call(new ControlMessage.Connect("../etc/passwd")),
                "service name '../etc/passwd' must start with a letter or digit");
            assertBadName(raw.call(new ControlMessage.Connect("a/b")),
                "service name 'a/b' has character '/' at 1 (allowed: A-Z a-z 0-9 . _ -)");
            assertBadName(raw.call(new ControlMessage.Connect("a..b")), "service name 'a..b' contains '..'");
            assertBadName(raw.call(new ControlMessage.Connect("x".repeat(129))),
                "service name is 129 characters long, the limit is 128");
            assertBadName(raw.call(new ControlMessage.CheckIn("a/b", "00")),
                "service name 'a/b' has character '/' at 1 (allowed: A-Z a-z 0-9 . _ -)");
            assertThrows(IllegalArgumentException.class, () -> ringport.connect("../etc/passwd"));

            assertEquals(2, daemon.cli("stop", "a/b").exit());
            assertEquals(2, daemon.cli("kickstart", "../x").exit());
            final Path evil = daemon.writeDefinition("evil.properties", daemon.testService("../evil"));
            final CliTest.Run refused = daemon.cli("register", evil.toString());
            assertEquals(2, refused.exit());
            assertTrue(refused.err().contains("definition " + evil + ": key 'name': service name '../evil' must " +
                "start with a letter or digit"), refused.err());
            assertEquals(1, daemon.ringFiles().size(), "nothing was made for a bad name: " + daemon.ringFiles());
        }
    }

    private static void assertRefused(final ControlMessage answer, final String message)
    {
        final ControlMessage.Error error = assertInstanceOf(ControlMessage.Error.class, answer);
        assertEquals(ErrorCode.CHECK_IN_REFUSED.wireCode(), error.code());
        assertEquals(message, error.message());
    }

    private static void assertBadName(final ControlMessage answer, final String message)
    {
        final ControlMessage.Error error = assertInstanceOf(ControlMessage.Error.class, answer);
        assertEquals(ErrorCode.BAD_REQUEST.wireCode(), error.code());
        assertEquals(message, error.message());
    }

    private static String environment(final long pid, final String variable) throws Exception
    {
        final String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), UTF_8);
        return Arrays.stream(environ.split("\0")).filter(v -> v.startsWith(variable + "=")).findFirst()
            .map(v -> v.substring(variable.length() + 1)).orElseThrow();
    }
}
