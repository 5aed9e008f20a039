package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ControlEvents;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.ServiceCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.ringport.it.CorruptRingTest.eventsInto;
import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.buffer;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens when things go wrong, with real processes: crashes and kill -9, keepAlive and its throttle, starts
 * that fail, clients that die, and services that go idle.
 */
class SupervisionTest
{
    /** Generous: the promise is 100 ms, which the output reports; a loaded machine must not fail the build. */
    private static final long INTERRUPT_BOUND_NS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void aCrashInterruptsAcceptedConnectionsFailsPendingRequestsAndTheSameConnectionRelaunches() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.crash").start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.crash").setEventHandler(events).resume();
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final long firstPid = daemon.service("test.crash").pid();
            final CompletableFuture<Message> pending = connection.request(buffer("I"), 0, 1);

            ringport.connect("test.crash").request(new UnsafeBuffer(new byte[] {'X', 3}), 0, 2);
            final ProcessHandle instance = ProcessHandle.of(firstPid).orElseThrow();
            TestDaemon.await("the instance gone", () -> !instance.isAlive());
            final long exitNs = System.nanoTime();
            final RecordedEvents.Event interrupted = events.await(ConnectionEvent.INTERRUPTED);
            report("crash (exit 3) was seen by the test", interrupted.nanoTime() - exitNs);
            assertEquals("service 'test.crash' was interrupted: pid " + firstPid + " exited with status 3",
                interrupted.reason());

            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> pending.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            final RingportException cause = assertInstanceOf(RingportException.class, failed.getCause());
            assertEquals(ErrorCode.INTERRUPTED, cause.code());
            assertTrue(cause.getMessage().contains("'test.crash' was interrupted"), cause.getMessage());

            final ServiceInfo exited = daemon.service("test.crash");
            assertEquals("EXITED", exited.state(), "no keepAlive and nobody waiting: no relaunch");
            assertEquals(1, exited.launches());

            assertEquals("again", text(connection.requestSync(bytes("Eagain"), TIMEOUT)));
            final ServiceInfo relaunched = daemon.running("test.crash");
            assertEquals(2, relaunched.launches());
            assertNotEquals(firstPid, relaunched.pid());
            TestDaemon.await("crash counted", () -> 1 == daemon.stats("test.crash").get(ServiceCounter.CRASHES));
        }
    }

    @Test
    void anInvalidatedForAConnectionInterruptedFirstChangesNeitherItsEventNorTheNextSend() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.killed").start();
            Ringport ringport = daemon.open())
        {
            // Invoker mode: the connection is let go of, and its event told, only when this thread polls.
            final Connection connection = ringport.connect("test.killed").setEventHandler(eventsInto(events));
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final long connectionId;
            try (RingFile c2s = RingFile.map(daemon.home.resolve(daemon.ringFile("c2s-")), RingKind.C2S, null))
            {
                connectionId = c2s.connectionId();
            }
            final long pid = daemon.service("test.killed").pid();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            TestDaemon.await("the daemon's INTERRUPTED taken", () -> !connection.isConnected());
            // What a daemon shutting down sends next to a client that has not let go of the connection yet: the
            // connection's second finding, after the first one's teardown is queued and before it has run.
            ControlEvents.fromDaemon(connection,
                new ControlMessage.Invalidated(connectionId, ErrorCode.CLOSED.wireCode(), "daemon shut down"));

            TestDaemon.await("the event", () ->
            {
                connection.poll(10);
                return !events.isEmpty();
            });
            assertEquals(List.of("INTERRUPTED: service 'test.killed' was interrupted: pid " + pid +
                " exited with status 137"), events);
            // Told INTERRUPTED, so what INTERRUPTED promises: the next send connects again, to a new instance.
            assertEquals("again", text(connection.requestSync(bytes("Eagain"), TIMEOUT)));
            connection.poll(10);
            assertEquals(1, events.size(), "one event for one connection: " + events);
        }
    }

    @Test
    void killNineInterruptsAcceptedConnectionsAndTheNotYetAcceptedKeepTheirDataForTheNextInstance() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.killed").start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents acceptedEvents = new RecordedEvents();
            final Connection accepted = ringport.connect("test.killed").setEventHandler(acceptedEvents).resume();
            // The service replies, then its listener thread stalls for good: it reads its port no more.
            accepted.requestSync(bytes("S"), TIMEOUT);
            final long stalledPid = daemon.service("test.killed").pid();

            final RecordedEvents pendingEvents = new RecordedEvents();
            final Connection pending = ringport.connect("test.killed").setEventHandler(pendingEvents).resume();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
            for (long sequence = 1; sequence <= 1_000; sequence++)
            {
                message.putLong(0, sequence);
                pending.send(message, 0, message.capacity());
            }
            assertEquals(2, daemon.service("test.killed").connections());

            final long killNs = System.nanoTime();
            ProcessHandle.of(stalledPid).orElseThrow().destroyForcibly();
            final RecordedEvents.Event interrupted = acceptedEvents.await(ConnectionEvent.INTERRUPTED);
            report("kill -9", interrupted.nanoTime() - killNs);
            assertEquals("service 'test.killed' was interrupted: pid " + stalledPid + " exited with status 137",
                interrupted.reason());

            final Message counts = pending.requestSync(bytes("C"), TIMEOUT);
            assertEquals(1_000, counts.buffer().getLong(counts.offset()), "messages the new instance received");
            assertEquals(1_000, counts.buffer().getLong(counts.offset() + 8), "last in-order sequence");
            assertEquals(0, counts.buffer().getLong(counts.offset() + 16), "out of order");
            assertEquals(List.of(), pendingEvents.kinds(), "the killed instance never had it: not interrupted");

            final ServiceInfo relaunched = daemon.service("test.killed");
            assertEquals(2, relaunched.launches(), "relaunched at once for the pending connection");
            assertNotEquals(stalledPid, relaunched.pid());
            assertEquals("back", text(accepted.requestSync(bytes("Eback"), TIMEOUT)));
        }
    }

    @Test
    void keepAliveRelaunchesAfterACrashButNotAfterACleanExit() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.keep", "keepAlive = true").start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection connection = ringport.connect("test.keep").setEventHandler(events).resume();
            connection.requestSync(bytes("Eup"), TIMEOUT);

            connection.request(new UnsafeBuffer(new byte[] {'X', 0}), 0, 2);
            events.await(ConnectionEvent.INTERRUPTED);
            final ServiceInfo clean = daemon.service("test.keep");
            assertEquals("EXITED", clean.state(), "exit 0 is a deliberate stop");
            assertEquals(1, clean.launches());

            connection.requestSync(bytes("Eagain"), TIMEOUT);
            final long secondPid = daemon.service("test.keep").pid();
            connection.request(new UnsafeBuffer(new byte[] {'X', 9}), 0, 2);
            TestDaemon.await("relaunch after the crash, with no message to ask for it", () ->
            {
                final ServiceInfo info = daemon.service("test.keep");
                return "RUNNING".equals(info.state()) && 3 == info.launches() && secondPid != info.pid();
            });
            assertEquals(1, daemon.stats("test.keep").get(ServiceCounter.CRASHES));
        }
    }

    @Test
    void aCrashLoopNeverLaunchesFasterThanTheThrottleIntervalAndStopEndsIt() throws Exception
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(2);
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.loop", "keepAlive = true",
            "runAtLoad = true", "throttleInterval = 2s", "startLimitBurst = 0", "environment.HALT_AFTER_CHECK_IN = 7")
            .start())
        {
            TestDaemon.await("first crash and relaunch", () -> daemon.service("test.loop").launches() >= 2);
            final long startNs = System.nanoTime();
            final long startLaunches = daemon.service("test.loop").launches();
            TestDaemon.await("two more launches", () -> daemon.service("test.loop").launches() >= startLaunches + 2);
            final long windowNs = System.nanoTime() - startNs;
            final long launched = daemon.service("test.loop").launches() - startLaunches;
            final long bound = windowNs / intervalNs + 1;
            System.out.printf("crash loop: %d launches in %.2f s with throttleInterval 2 s (bound %d)%n",
                launched, windowNs / 1e9, bound);
            assertTrue(launched <= bound, launched + " launches in " + windowNs / 1e9 + " s");
            assertTrue(daemon.stats("test.loop").get(ServiceCounter.THROTTLES) >= 1);
            assertTrue(daemon.stats("test.loop").get(ServiceCounter.CRASHES) >= 2);

            final CliTest.Run stop = daemon.cli("stop", "test.loop");
            assertEquals(0, stop.exit(), stop.err());
            final ServiceInfo stopped = daemon.service("test.loop");
            assertEquals("EXITED", stopped.state(), "stop ends the loop: " + stop.out());
        }
    }

    @Test
    void aCrashLoopHitsItsStartLimitCallersAreToldWhyAndKickstartStartsItAgain() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.limit", "keepAlive = true",
            "runAtLoad = true", "throttleInterval = 0s", "startLimitBurst = 3", "startLimitInterval = 10m",
            "environment.HALT_AFTER_CHECK_IN = 7").start();
            Ringport ringport = daemon.open())
        {
            TestDaemon.await("the start limit", () -> "FAILED".equals(daemon.service("test.limit").state()));
            assertEquals(3, daemon.service("test.limit").launches(), "keepAlive relaunched until the limit");
            final String limit = "service 'test.limit' hit its start limit: 3 crashes or failed starts within " +
                "startLimitInterval PT10M (startLimitBurst 3); 'ringport kickstart test.limit' starts it again";
            assertTrue(daemon.log().contains(limit), daemon.log());

            final RingportException refused = assertThrows(RingportException.class,
                () -> ringport.connect("test.limit").requestSync(bytes("Ehello"), TIMEOUT));
            assertEquals(ErrorCode.SERVICE_FAILED, refused.code());
            assertEquals(limit, refused.getMessage());
            assertEquals(3, daemon.service("test.limit").launches(), "a refused caller launches nothing");

            // kickstart clears the count: the limit is hit again only after three more crashes, at launch 6, not 4.
            final CliTest.Run kickstart = daemon.cli("kickstart", "test.limit");
            assertEquals(0, kickstart.exit(), kickstart.err());
            TestDaemon.await("the start limit again", () ->
            {
                final ServiceInfo info = daemon.service("test.limit");
                return info.launches() >= 4 && "FAILED".equals(info.state());
            });
            assertEquals(6, daemon.service("test.limit").launches());
        }
    }

    @Test
    void startFailuresReachTheCallerWithTheReasonAndTheDaemonKeepsServing() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create()
            .define("nobinary.properties", "name = test.nobinary", "command = /nonexistent/ringport-test-binary")
            .define("quits.properties", "name = test.quits", "command = /bin/sh -c 'exit 3'")
            .define("slow.properties", "name = test.slow", "command = /bin/sleep 60", "startTimeout = 1s")
            .defineTestService("test.ok")
            .start();
            Ringport ringport = daemon.open())
        {
            final RingportException execFailed = assertThrows(RingportException.class,
                () -> ringport.connect("test.nobinary").requestSync(bytes("Ex"), TIMEOUT));
            assertEquals(ErrorCode.SERVICE_FAILED, execFailed.code());
            assertTrue(execFailed.getMessage().startsWith("service 'test.nobinary' failed to start: cannot start " +
                "/nonexistent/ringport-test-binary"), execFailed.getMessage());

            assertStartFailure(daemon, ringport, "test.quits", "exited with status 3 before checking in");
            assertStartFailure(daemon, ringport, "test.slow", "did not check in within startTimeout PT1S");
            TestDaemon.await("the slow start killed", () -> daemon.processesOfHome().stream()
                .noneMatch(p -> p.info().command().orElse("").endsWith("sleep")));

            assertEquals("fine", text(ringport.connect("test.ok").requestSync(bytes("Efine"), TIMEOUT)));
        }
    }

    @Test
    void aKilledClientIsDisconnectedTheServiceSeesClosedAndTheFilesAreRemoved() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.orphaned").start())
        {
            final Path output = daemon.scratch.resolve("client.out");
            final ProcessBuilder builder = new ProcessBuilder(Processes.java(TestClient.class.getName(),
                "test.orphaned", "100")).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("RINGPORT_HOME", daemon.home.toString());
            final Process client = builder.start();
            try
            {
                TestDaemon.await("client ready", () -> read(output).contains("ready") || !client.isAlive());
                assertTrue(client.isAlive(), read(output));
                final List<String> files = daemon.ringFiles().stream().filter(n -> !n.startsWith("port-")).toList();
                assertEquals(2, files.size(), files.toString());
                final long connectionId;
                try (RingFile c2s = RingFile.map(daemon.home.resolve(files.get(0)), RingKind.C2S, null))
                {
                    connectionId = c2s.connectionId();
                }

                client.destroyForcibly();
                final Path closed = daemon.scratch.resolve("closed-" + connectionId);
                TestDaemon.await("the service saw CLOSED", () -> Files.exists(closed));
                assertEquals("count=100 lastInOrder=100 outOfOrder=0", Files.readString(closed, UTF_8));
                TestDaemon.await("connection files removed",
                    () -> daemon.ringFiles().stream().noneMatch(files::contains));
                assertEquals(0, daemon.service("test.orphaned").connections());
                assertEquals("RUNNING", daemon.service("test.orphaned").state());
            }
            finally
            {
                client.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void anIdleServiceIsAskedToExitExitsCleanlyAndTheNextMessageRelaunchesIt() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.idle", "idleExit = 300ms").start();
            Ringport ringport = daemon.open())
        {
            try (Connection connection = ringport.connect("test.idle"))
            {
                connection.requestSync(bytes("Eup"), TIMEOUT);
            }
            final long firstPid = daemon.service("test.idle").pid();
            TestDaemon.await("idle exit", () -> "EXITED".equals(daemon.service("test.idle").state()));
            final String log = daemon.log();
            assertTrue(log.contains("'test.idle' (pid " + firstPid + ") had no connection for idleExit PT0.3S: " +
                "TERMINATION_IMMINENT"), log);
            assertTrue(log.contains("'test.idle' (pid " + firstPid + " exited with status 0), as asked"),
                "the listener's default handler closed it and the process ended cleanly: " + log);
            assertEquals(0, daemon.stats("test.idle").get(ServiceCounter.CRASHES));

            assertEquals("back", text(ringport.connect("test.idle").requestSync(bytes("Eback"), TIMEOUT)));
            final ServiceInfo relaunched = daemon.running("test.idle");
            assertEquals(2, relaunched.launches());
        }
    }

    @Test
    void aConnectionMadeWhileAnInstanceIsAskedToExitWaitsWithItsDataForTheNextInstance() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.lingering", "idleExit = 200ms",
            "exitTimeout = 2s", "environment.IGNORE_TERMINATION = true").start();
            Ringport ringport = daemon.open())
        {
            try (Connection first = ringport.connect("test.lingering"))
            {
                first.requestSync(bytes("Eup"), TIMEOUT);
            }
            final long lingeringPid = daemon.service("test.lingering").pid();
            TestDaemon.await("TERMINATION_IMMINENT for the idle instance",
                () -> daemon.log().contains("had no connection for idleExit"));
            assertTrue(TestDaemon.isRunning(lingeringPid), "it ignores the request and still reads its port");

            final RecordedEvents events = new RecordedEvents();
            final Connection late = ringport.connect("test.lingering").setEventHandler(events).resume();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
            for (long sequence = 1; sequence <= 100; sequence++)
            {
                message.putLong(0, sequence);
                late.send(message, 0, message.capacity());
            }
            final Message counts = late.requestSync(bytes("C"), TIMEOUT);
            assertEquals(100, counts.buffer().getLong(counts.offset() + 8),
                "all of it, in order, at the next instance");
            assertEquals(List.of(), events.kinds(), "the exiting instance never had the connection");
            assertFalse(TestDaemon.isRunning(lingeringPid));
            assertEquals(2, daemon.service("test.lingering").launches());
            assertTrue(daemon.log().contains("'test.lingering' (pid " + lingeringPid + ") did not exit within " +
                "exitTimeout PT2S of TERMINATION_IMMINENT; SIGTERM"), daemon.log());
        }
    }

    private static void assertStartFailure(
        final TestDaemon daemon, final Ringport ringport, final String name, final String reason)
    {
        final RecordedEvents events = new RecordedEvents();
        final Connection connection = ringport.connect(name).setEventHandler(events).resume();
        final RingportException ex = assertThrows(RingportException.class,
            () -> connection.requestSync(bytes("Ex"), TIMEOUT));
        final String expected = "service '" + name + "' failed to start: " + reason;
        assertEquals(expected, ex.getMessage());
        assertEquals(ErrorCode.SERVICE_FAILED, ex.code(),
            "the pending request fails as the connection was invalidated");
        assertEquals(expected, events.await(ConnectionEvent.INVALIDATED).reason());
        assertEquals("FAILED", daemon.service(name).state());
        final RingportException again = assertThrows(RingportException.class, () -> connection.send(bytes("x")));
        assertEquals(ErrorCode.SERVICE_FAILED, again.code(), "an invalidated connection stays invalid");
    }

    private static void report(final String what, final long latencyNs)
    {
        System.out.printf("INTERRUPTED %.2f ms after the %s (negative: before)%n", latencyNs / 1e6, what);
        assertTrue(latencyNs < INTERRUPT_BOUND_NS, "INTERRUPTED took " + latencyNs / 1e6 + " ms");
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, UTF_8) : "";
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }

    private static String text(final Message message)
    {
        return new String(message.toByteArray(), UTF_8);
    }
}
