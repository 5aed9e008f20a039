package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.ServiceCounter;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared memory written by another process is untrusted: a corrupt record closes that one connection, and the
 * service and its other connections go on; a service that breaks its port is stopped, and only it.
 */
class CorruptRingTest
{
    @Test
    void aCorruptRecordClosesOnlyItsConnection() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim").start();
            Ringport ringport = daemon.open())
        {
            final Connection victim = ringport.connect("test.victim").setEventHandler(eventsInto(events)).resume();
            victim.requestSync(bytes("Eup"), TIMEOUT);
            final String c2s = daemon.ringFiles().stream().filter(n -> n.startsWith("c2s-")).findFirst().orElseThrow();
            final long servicePid = daemon.service("test.victim").pid();

            final Connection bystander = ringport.connect("test.victim");
            bystander.requestSync(bytes("Eup"), TIMEOUT);

            try (RingFile ring = RingFile.map(daemon.home.resolve(c2s), RingKind.C2S, null))
            {
                final AtomicBuffer buffer = ring.ring();
                final long tail = buffer.getLongVolatile(ring.capacity() + RingDescriptor.TAIL_POSITION_OFFSET);
                final int tailIndex = (int)tail & (ring.capacity() - 1);
                // A record header that publishes a record longer than the ring, where the next record goes.
                buffer.putLongRelease(tailIndex, RingDescriptor.header(1, 0x7FFF_0000));
            }

            TestDaemon.await("the victim's connection is closed by the service", () -> !events.isEmpty());
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());
            assertEquals("still here", new String(bystander.requestSync(bytes("Estill here"), TIMEOUT).toByteArray()));
            assertEquals(servicePid, daemon.service("test.victim").pid(), "the service process keeps running");
            assertTrue(daemon.log().contains("does not fit the ring"), "the service says what and where");
        }
    }
    @Test
    void anInstanceThatBreaksItsPortIsStoppedAndTheNextOneServesWhatWaited() throws Exception
    {
        // A 4 KiB port: the daemon reads the service's consumer position again after at most 4 KiB of records.
        try (TestDaemon daemon = TestDaemon.create()
                .defineTestService("test.breaker", "ring.port.capacity = 4k", "ring.c2s.capacity = 4k",
                    "ring.s2c.capacity = 4k")
                .defineTestService("test.bystander")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection bystander = ringport.connect("test.bystander");
            bystander.requestSync(bytes("Eup"), TIMEOUT);
            final List<String> firstEvents = new CopyOnWriteArrayList<>();
            final Connection first = ringport.connect("test.breaker").setEventHandler(eventsInto(firstEvents)).resume();
            first.requestSync(bytes("Eup"), TIMEOUT);
            final long brokenPid = daemon.running("test.breaker").pid();
            first.requestSync(bytes("H"), TIMEOUT);

            final List<Connection> waiting = new ArrayList<>();
            final List<CompletableFuture<Message>> echoes = new ArrayList<>();
            while (!daemon.log().contains("broke its port"))
            {
                assertTrue(waiting.size() < 64, "the daemon never read the broken position:\n" + daemon.log());
                final Connection connection = ringport.connect("test.breaker").resume();
                final byte[] text = bytes("Ewaited " + waiting.size());
                echoes.add(connection.request(new UnsafeBuffer(text), 0, text.length));
                waiting.add(connection);
            }

            assertTrue(daemon.log().contains("'test.breaker' (pid " + brokenPid + ") broke its port: ring "),
                daemon.log());
            assertTrue(daemon.log().contains("is not within one ring behind the producer position"), daemon.log());
            for (int i = 0; i < echoes.size(); i++)
            {
                assertEquals("waited " + i,
                    new String(echoes.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).toByteArray()));
            }
            assertNotEquals(brokenPid, daemon.running("test.breaker").pid(), "a new instance served them");
            // The broken instance had accepted the first connection before it broke the word: that one is told.
            TestDaemon.await("the first connection interrupted", () -> !firstEvents.isEmpty());
            assertTrue(firstEvents.get(0).startsWith("INTERRUPTED: service 'test.breaker' was stopped: it broke its " +
                "port, pid " + brokenPid + " exited with status "), firstEvents.toString());
            assertEquals(1, daemon.stats("test.breaker").get(ServiceCounter.CRASHES), "breaking the port is a crash");
            assertEquals("still here", new String(bystander.requestSync(bytes("Estill here"), TIMEOUT).toByteArray()));
        }
    }

    @Test
    void aPortBrokenWhileNoInstanceRunsIsResetAtTheNextConnect() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.idle").start();
            Ringport ringport = daemon.open())
        {
            final String port = daemon.ringFiles().stream().filter(n -> n.startsWith("port-")).findFirst().orElseThrow();
            try (RingFile ring = RingFile.map(daemon.home.resolve(port), RingKind.PORT, null))
            {
                ring.ring().putLongRelease(ring.capacity() + RingDescriptor.HEAD_POSITION_OFFSET, 1L << 40);
            }

            assertEquals("served", new String(
                ringport.connect("test.idle").requestSync(bytes("Eserved"), TIMEOUT).toByteArray()));
            assertTrue(daemon.log().contains("'test.idle' port broken with no instance running: ring "), daemon.log());
        }
    }

    @Test
    void aPortBrokenAfterAnInstanceLeftIsResetBeforeTheNextLaunch() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.idle").start();
            Ringport ringport = daemon.open())
        {
            // A launch and a stop, so that the daemon's port writer has read the positions and needs no room.
            try (Connection first = ringport.connect("test.idle"))
            {
                first.requestSync(bytes("Eup"), TIMEOUT);
            }
            final long firstPid = daemon.service("test.idle").pid();
            final CliTest.Run stop = daemon.cli("stop", "test.idle");
            assertEquals(0, stop.exit(), stop.err());
            TestDaemon.await("the first instance gone", () -> !TestDaemon.isRunning(firstPid));
            final String port = daemon.ringFiles().stream().filter(n -> n.startsWith("port-")).findFirst().orElseThrow();
            try (RingFile ring = RingFile.map(daemon.home.resolve(port), RingKind.PORT, null))
            {
                ring.ring().putLongRelease(ring.capacity() + RingDescriptor.HEAD_POSITION_OFFSET, 1L << 40);
            }

            assertEquals("served", new String(
                ringport.connect("test.idle").requestSync(bytes("Eserved"), TIMEOUT).toByteArray()));
            assertTrue(daemon.log().contains("'test.idle' port broken with no instance running: "), daemon.log());
        }
    }

    /** A handler that drops messages and writes each event, with its reason, into a list. */
    private static EventHandler eventsInto(final List<String> events)
    {
        return new EventHandler()
        {
            public void onMessage(final Message message)
            {
            }

            public void onEvent(final ConnectionEvent event, final String reason)
            {
                events.add(event + ": " + reason);
            }
        };
    }
}
