package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.daemon.ServiceCounter;
import io.ringport.daemon.ServiceStats;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's commands as a user runs them: kickstart, stop, register, unregister and stat, each a separate
 * process with its output and exit code.
 */
class OperationsTest
{
    @Test
    void kickstartStartsAServiceNowAndWithMinusKReplacesItsInstance() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.ops")
            .define("nothing.properties", "name = test.nothing", "command = /bin/sh -c 'exit 4'")
            .start();
            Ringport ringport = daemon.open())
        {
            final CliTest.Run started = daemon.cli("kickstart", "test.ops");
            assertEquals(0, started.exit(), started.err());
            final ServiceInfo first = daemon.service("test.ops");
            assertEquals("RUNNING", first.state(), "kickstart returns once the instance checked in");
            assertEquals("kickstarted 'test.ops': RUNNING, pid " + first.pid() + ", launches 1, connections 0",
                started.out().trim());
            final CliTest.Run again = daemon.cli("kickstart", "test.ops");
            assertEquals(0, again.exit(), again.err());
            assertEquals(first.pid(), daemon.service("test.ops").pid(), "a running service is left alone");

            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.ops").setEventHandler(events).resume();
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final CliTest.Run restarted = daemon.cli("kickstart", "-k", "test.ops");
            assertEquals(0, restarted.exit(), restarted.err());
            final ServiceInfo second = daemon.service("test.ops");
            assertEquals("RUNNING", second.state());
            assertEquals(2, second.launches());
            assertNotEquals(first.pid(), second.pid());
            assertGone(events, "test.ops", first.pid());
            assertEquals("again", new String(connection.requestSync(bytes("Eagain"), TIMEOUT).toByteArray()));
            assertEquals(2, daemon.service("test.ops").launches(), "the connection reached the new instance");

            final CliTest.Run failed = daemon.cli("kickstart", "test.nothing");
            assertEquals(5, failed.exit(), failed.out());
            assertTrue(failed.err().contains("service 'test.nothing' failed to start: exited with status 4 before " +
                "checking in"), failed.err());
            assertEquals(4, daemon.cli("kickstart", "test.none").exit());
            assertEquals(2, daemon.cli("kickstart").exit());
            assertEquals(2, daemon.cli("kickstart", "test.ops", "-x").exit());
        }
    }

    @Test
    void stopEndsTheInstanceWithoutAKeepAliveRelaunchAndEscalatesToSigkill() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.keep", "keepAlive = true")
            .defineTestService("test.stubborn", "environment.BLOCK_SHUTDOWN = true", "exitTimeout = 300ms")
            .start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.keep").setEventHandler(events).resume();
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final long pid = daemon.service("test.keep").pid();

            final CliTest.Run stop = daemon.cli("stop", "test.keep");
            assertEquals(0, stop.exit(), stop.err());
            assertEquals("stopped 'test.keep': EXITED, launches 1, connections 0", stop.out().trim());
            assertFalse(TestDaemon.isRunning(pid));
            assertGone(events, "test.keep", pid);
            assertEquals("EXITED", daemon.service("test.keep").state(), "keepAlive does not undo a stop");
            assertEquals(0, daemon.stats("test.keep").get(ServiceCounter.CRASHES));
            assertEquals("on demand", new String(connection.requestSync(bytes("Eon demand"), TIMEOUT).toByteArray()),
                "the next message launches it again");

            ringport.connect("test.stubborn").requestSync(bytes("Eup"), TIMEOUT);
            final long stubborn = daemon.service("test.stubborn").pid();
            final CliTest.Run killed = daemon.cli("stop", "test.stubborn");
            assertEquals(0, killed.exit(), killed.err());
            assertFalse(TestDaemon.isRunning(stubborn));
            final String log = daemon.log();
            assertTrue(log.contains("'test.stubborn' (pid " + stubborn + ") did not exit within exitTimeout PT0.3S " +
                "of SIGTERM; SIGKILL"), log);
            assertTrue(log.contains("'test.stubborn' (pid " + stubborn + " exited with status 137), as asked"), log);

            final CliTest.Run notRunning = daemon.cli("stop", "test.stubborn");
            assertEquals(0, notRunning.exit(), notRunning.err());
            assertTrue(notRunning.out().startsWith("stopped 'test.stubborn': EXITED"), notRunning.out());
        }
    }

    @Test
    void registerLoadsADefinitionAtRuntimeAndRefusesABadOneWithFileKeyAndReason() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().start(); Ringport ringport = daemon.open())
        {
            final Path late = daemon.writeDefinition("late.properties", daemon.testService("test.late"));
            final CliTest.Run registered = daemon.cli("register", late.toString());
            assertEquals(0, registered.exit(), registered.err());
            assertEquals("registered 'test.late': IDLE, launches 0, connections 0", registered.out().trim());
            assertEquals("late", new String(ringport.connect("test.late").requestSync(bytes("Elate"), TIMEOUT)
                .toByteArray()));

            final CliTest.Run twice = daemon.cli("register", late.toString());
            assertEquals(2, twice.exit(), twice.err());
            assertTrue(twice.err().contains("definition " + late + ": key 'name': service 'test.late' is already " +
                "registered from " + late + "; unregister it first"), twice.err());

            final Path bad = daemon.writeDefinition("bad.properties", "name = test.bad", "command = true",
                "throttleInterval = soon");
            final CliTest.Run refused = daemon.cli("register", bad.toString());
            assertEquals(2, refused.exit(), refused.err());
            assertTrue(refused.err().contains("definition " + bad + ": key 'throttleInterval': not a duration: 'soon'"),
                refused.err());
            final Path missing = daemon.scratch.resolve("missing.properties");
            final CliTest.Run unreadable = daemon.cli("register", missing.toString());
            assertEquals(2, unreadable.exit());
            assertTrue(unreadable.err().contains("definition " + missing + ": cannot read"), unreadable.err());

            final Path eager = daemon.writeDefinition("eager.properties",
                daemon.testService("test.eager", "runAtLoad = true"));
            assertEquals(0, daemon.cli("register", eager.toString()).exit());
            assertEquals(1, daemon.service("test.eager").launches(), "runAtLoad launches it as it is registered");
            assertEquals(List.of("test.eager", "test.late"),
                ringport.listServices().stream().map(ServiceInfo::name).toList());
        }
    }

    @Test
    void unregisterStopsTheServiceInvalidatesItsConnectionsAndRemovesItsPort() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.gone").defineTestService("test.stays")
            .start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.gone").setEventHandler(events).resume();
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final long pid = daemon.service("test.gone").pid();
            final List<String> before = daemon.ringFiles();
            assertEquals(4, before.size(), "two ports and one connection: " + before);

            final CliTest.Run gone = daemon.cli("unregister", "test.gone");
            assertEquals(0, gone.exit(), gone.err());
            assertEquals("unregistered 'test.gone': EXITED, launches 1, connections 0", gone.out().trim());
            assertEquals("service 'test.gone' was unregistered", events.await(ConnectionEvent.INVALIDATED).reason());
            assertFalse(TestDaemon.isRunning(pid));
            TestDaemon.await("its port and connection files removed", () -> 1 == daemon.ringFiles().size());
            assertEquals(List.of("test.stays"), ringport.listServices().stream().map(ServiceInfo::name).toList());

            final RingportException invalid = assertThrows(RingportException.class,
                () -> connection.send(bytes("x")));
            assertEquals(ErrorCode.UNKNOWN_SERVICE, invalid.code());
            final RingportException unknown = assertThrows(RingportException.class,
                () -> ringport.connect("test.gone").send(bytes("x")));
            assertEquals("service 'test.gone' is not registered (known: test.stays)", unknown.getMessage());
            assertEquals(4, daemon.cli("stat", "test.gone").exit());
            assertEquals(4, daemon.cli("unregister", "test.gone").exit());

            final CliTest.Run back = daemon.cli("register", daemon.services.resolve("test.gone.properties").toString());
            assertEquals(0, back.exit(), back.err());
            assertEquals("back", new String(ringport.connect("test.gone").requestSync(bytes("Eback"), TIMEOUT)
                .toByteArray()));
        }
    }

    @Test
    void statReadsTheCountersLiveAndKeepsTheCountsOfClosedConnections() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.stats").start();
            Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.stats");
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final List<String> files = daemon.ringFiles().stream().filter(n -> !n.startsWith("port-")).toList();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            for (long sequence = 1; sequence <= 10; sequence++)
            {
                message.putLong(0, sequence);
                connection.send(message, 0, 100);
            }
            connection.requestSync(bytes("C"), TIMEOUT);
            // In: "Eup" (3 B), ten of 100 B, "C" (1 B); out: the echo "up" (2 B) and the three counts (24 B).
            final Map<ServiceCounter, Long> expected = new EnumMap<>(ServiceCounter.class);
            expected.put(ServiceCounter.MESSAGES_IN, 12L);
            expected.put(ServiceCounter.BYTES_IN, 1004L);
            expected.put(ServiceCounter.MESSAGES_OUT, 2L);
            expected.put(ServiceCounter.BYTES_OUT, 26L);
            expected.put(ServiceCounter.BACK_PRESSURE, 0L);
            TestDaemon.await("traffic published", () -> traffic(daemon.stats("test.stats")).equals(expected));
            assertEquals(1, daemon.stats("test.stats").get(ServiceCounter.LAUNCHES));
            assertEquals(1, daemon.stats("test.stats").get(ServiceCounter.CONNECTIONS));

            final CliTest.Run json = daemon.cli("stat", "test.stats", "--json");
            assertEquals(0, json.exit(), json.err());
            assertEquals("{\"name\":\"test.stats\",\"messages_in\":" + expected.get(ServiceCounter.MESSAGES_IN) +
                ",\"bytes_in\":" + expected.get(ServiceCounter.BYTES_IN) +
                ",\"messages_out\":" + expected.get(ServiceCounter.MESSAGES_OUT) +
                ",\"bytes_out\":" + expected.get(ServiceCounter.BYTES_OUT) +
                ",\"back_pressure\":" + expected.get(ServiceCounter.BACK_PRESSURE) +
                ",\"launches\":1,\"crashes\":0,\"throttles\":0,\"connections\":1}", json.out().trim());
            final CliTest.Run text = daemon.cli("stat");
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().matches("(?s)NAME +MESSAGES_IN +BYTES_IN +MESSAGES_OUT +BYTES_OUT +BACK_PRESSURE " +
                "+LAUNCHES +CRASHES +THROTTLES +CONNECTIONS\\s+test\\.stats +" +
                expected.get(ServiceCounter.MESSAGES_IN) + " .*"), text.out());
            final CliTest.Run all = daemon.cli("stat", "--json");
            assertTrue(all.out().trim().matches("\\[\\{\"name\":\"test.stats\",.*}]"), all.out());

            connection.close();
            TestDaemon.await("connection removed", () -> daemon.ringFiles().stream().noneMatch(files::contains));
            TestDaemon.await("gauge down", () -> 0 == daemon.stats("test.stats").get(ServiceCounter.CONNECTIONS));
            assertEquals(expected, traffic(daemon.stats("test.stats")), "a closed connection's counts are kept");
        }
        final Path nowhere = Files.createTempDirectory("ringport-nodaemon-");
        try
        {
            final CliTest.Run unreachable = CliTest.ringport(nowhere, "stat");
            assertEquals(3, unreachable.exit());
            assertTrue(unreachable.err().contains("daemon not reachable"), unreachable.err());
        }
        finally
        {
            Files.delete(nowhere);
        }
    }

    /**
     * A stopped instance gets TERMINATION_IMMINENT and SIGTERM together: if its listener closes its connections
     * first, the client sees CLOSED; if the signal ends it first, the daemon says INTERRUPTED. Either way the next
     * send reconnects.
     */
    private static void assertGone(final RecordedEvents events, final String name, final long pid)
    {
        final RecordedEvents.Event gone = events.await(ConnectionEvent.CLOSED, ConnectionEvent.INTERRUPTED);
        if (ConnectionEvent.INTERRUPTED == gone.event())
        {
            assertTrue(gone.reason().startsWith("service '" + name + "' was stopped: pid " + pid + " exited with"),
                gone.reason());
        }
        System.out.println("the client of the stopped instance saw " + gone.event() + ": " + gone.reason());
    }

    private static Map<ServiceCounter, Long> traffic(final ServiceStats stats)
    {
        final Map<ServiceCounter, Long> traffic = new EnumMap<>(ServiceCounter.class);
        for (final ServiceCounter counter : List.of(ServiceCounter.MESSAGES_IN, ServiceCounter.BYTES_IN,
            ServiceCounter.MESSAGES_OUT, ServiceCounter.BYTES_OUT, ServiceCounter.BACK_PRESSURE))
        {
            traffic.put(counter, stats.get(counter));
        }
        return traffic;
    }
}
