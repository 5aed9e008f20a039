package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.ServiceCounter;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aServiceThatBreaksTheHeadOfTheRingTheClientWritesInvalidatesOnlyThatConnection() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create()
                .defineTestService("test.breaker", "ring.c2s.capacity = 4k")
                .defineTestService("test.bystander")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection victim = ringport.connect("test.breaker").setEventHandler(eventsInto(events));
            victim.requestSync(bytes("Eup"), TIMEOUT);
            final String c2s = daemon.ringFiles().stream().filter(n -> n.startsWith("c2s-")).findFirst().orElseThrow();
            // The service answers and reads no more (its read pass never ends, so it never stores its head again);
            // then its consumer position turns into one no consumer has, as a hostile service could write it.
            victim.requestSync(bytes("S"), TIMEOUT);
            breakHead(daemon.home.resolve(c2s), RingKind.C2S);
            final Connection bystander = ringport.connect("test.bystander");
            bystander.requestSync(bytes("Eup"), TIMEOUT);

            // The writer reads the head again when the room it knows of runs out.
            final byte[] message = new byte[100];
            final RingportException ex = assertThrows(RingportException.class, () ->
            {
                for (int i = 0; i < 1_000; i++)
                {
                    victim.send(message);
                }
            });

            assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code(), ex.getMessage());
            assertTrue(ex.getMessage().contains(c2s) && ex.getMessage().contains("consumer position"), ex.getMessage());
            assertFalse(victim.isConnected());
            TestDaemon.await("the victim's connection is invalidated", () ->
            {
                victim.poll(10);
                return !events.isEmpty();
            });
            assertEquals("INVALIDATED: " + ex.getMessage(), events.get(0));
            assertEquals("still here", new String(bystander.requestSync(bytes("Estill here"), TIMEOUT).toByteArray()));
        }
    }

    @Test
    void aClientThatBreaksTheHeadOfTheRingTheServiceWritesHasOnlyThatConnectionClosed() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim", "ring.s2c.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            // Invoker mode: nothing reads the ring the service writes while the test does not poll.
            final Connection breaker = ringport.connect("test.victim").setEventHandler(eventsInto(events));
            breaker.requestSync(bytes("Eup"), TIMEOUT);
            final String s2c = daemon.ringFiles().stream().filter(n -> n.startsWith("s2c-")).findFirst().orElseThrow();
            final long connectionId;
            try (RingFile ring = RingFile.map(daemon.home.resolve(s2c), RingKind.S2C, null))
            {
                connectionId = ring.connectionId();
            }
            final long servicePid = daemon.service("test.victim").pid();
            final Connection bystander = ringport.connect("test.victim");
            bystander.requestSync(bytes("Eup"), TIMEOUT);

            // A worker of the service sends to the breaker until a send fails; the breaker's head goes bad at once.
            breaker.requestSync(bytes("Fs"), TIMEOUT);
            breakHead(daemon.home.resolve(s2c), RingKind.S2C);

            final Path flood = daemon.scratch.resolve("flood-" + connectionId);
            TestDaemon.await("the worker's send failed", () -> Files.exists(flood));
            final String failure = Files.readString(flood, UTF_8);
            assertTrue(failure.startsWith("PROTOCOL_VIOLATION: ring ") && failure.contains("consumer position"),
                failure);
            TestDaemon.await("the breaker's connection is closed by the service", () ->
            {
                breaker.poll(100);
                return !events.isEmpty();
            });
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());
            assertTrue(daemon.log().contains("closing connection " + connectionId + ": ring "), daemon.log());
            assertEquals("still here", new String(bystander.requestSync(bytes("Estill here"), TIMEOUT).toByteArray()));
            assertEquals(servicePid, daemon.service("test.victim").pid(), "the service process keeps running");
        }
    }

    /** Write a consumer position no consumer has (ahead of any tail, off a record boundary) into a ring's trailer. */
    static void breakHead(final Path ringFile, final RingKind kind)
    {
        try (RingFile ring = RingFile.map(ringFile, kind, null))
        {
            ring.ring().putLongRelease(ring.capacity() + RingDescriptor.HEAD_POSITION_OFFSET, Long.MAX_VALUE / 2);
        }
    }

    /** A handler that drops messages and writes each event, with its reason, into a list. */
    static EventHandler eventsInto(final List<String> events)
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
