package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingFileDescriptor;
import io.ringport.core.ring.RingKind;
import io.ringport.core.wait.Futex;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static io.ringport.it.CorruptRingTest.breakHead;
import static io.ringport.it.CorruptRingTest.eventsInto;
import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A send that finds the other end's words for its ring broken (its consumer position, its acknowledgements) ends the
 * connection: what happens to the sends after it, to the messages on the way, to the reason, and to the handler,
 * on the client and on the service, with the ring files broken in place as a hostile peer would.
 */
class SendViolationTest
{
    private static final byte[] FLOOD = new byte[100];

    @Test
    void aLaterSendIsRefusedWithTheViolationAfterTheRingsAreLetGoAndWhatTheServiceSentIsDelivered() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.breaker", "ring.c2s.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            // Invoker mode, and the test never polls: only sends let go of the connection.
            final Connection victim = ringport.connect("test.breaker").setEventHandler(recorder(events));
            victim.requestSync(bytes("Eup"), TIMEOUT);
            final String c2s = daemon.ringFile("c2s-");
            final String s2c = daemon.ringFile("s2c-");
            // The service answers N with a reply and three one-way messages, answers S and then reads no more.
            final CompletableFuture<Message> notes = victim.request(new UnsafeBuffer(bytes("N")), 0, 1);
            final CompletableFuture<Message> stall = victim.request(new UnsafeBuffer(bytes("S")), 0, 1);
            awaitMessagesWritten(daemon.home.resolve(s2c), 6);
            breakHead(daemon.home.resolve(c2s), RingKind.C2S);
            // Room the writer still knows of: this request is written, and never answered.
            final CompletableFuture<Message> lost = victim.request(new UnsafeBuffer(bytes("Elost")), 0, 5);

            final RingportException violation = floodUntilRefused(victim);
            assertTrue(events.isEmpty(), "nothing is delivered before a poll or a send: " + events);

            final RingportException later = assertThrows(RingportException.class, () -> victim.send(bytes("Eagain")));
            assertEquals(ErrorCode.PROTOCOL_VIOLATION, later.code());
            assertEquals(violation.getMessage(), later.getMessage(), "the later send says why");
            // That send let go of the connection first: what the service had sent is delivered, then the event.
            assertEquals(List.of("message: n1", "message: n2", "message: n3", "INVALIDATED: " + violation.getMessage()),
                events);
            assertEquals(0, notes.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).length());
            assertEquals(0, stall.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).length());
            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> lost.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            final RingportException why = assertInstanceOf(RingportException.class, failed.getCause());
            assertEquals(ErrorCode.PROTOCOL_VIOLATION, why.code());
            assertEquals(violation.getMessage(), why.getMessage());
            TestDaemon.await("the rings unmapped", () -> !isMapped(c2s) && !isMapped(s2c));

            for (final Function<Connection, Object> send : List.<Function<Connection, Object>>of(
                c -> c.offer(FLOOD, 0, FLOOD.length),
                c -> c.tryClaim(8),
                c -> c.request(new UnsafeBuffer(FLOOD), 0, FLOOD.length),
                c -> c.requestSync(FLOOD, TIMEOUT)))
            {
                final RingportException refused = assertThrows(RingportException.class, () -> send.apply(victim));
                assertEquals(ErrorCode.PROTOCOL_VIOLATION, refused.code());
                assertEquals(violation.getMessage(), refused.getMessage());
            }
            assertEquals(4, events.size(), "told once: " + events);
        }
    }

    @Test
    void theFirstReasonStaysWhenTheDaemonInvalidatesTheConnectionAfterASendFoundTheViolation() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.breaker", "ring.c2s.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection victim = ringport.connect("test.breaker").setEventHandler(eventsInto(events));
            final RingportException violation = breakAndFlood(daemon, victim);

            // The daemon's INVALIDATED comes on this session before the answer: it is queued when this returns.
            ringport.unregister("test.breaker", TIMEOUT);

            final RingportException later = assertThrows(RingportException.class, () -> victim.send(bytes("Eagain")));
            assertEquals(ErrorCode.PROTOCOL_VIOLATION, later.code());
            assertEquals(violation.getMessage(), later.getMessage());
            victim.poll(10);
            assertEquals(List.of("INVALIDATED: " + violation.getMessage()), events);
        }
    }

    @Test
    void aCloseAfterTheViolationStillTellsTheHandlerInvalidatedOnce() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.breaker", "ring.c2s.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            // Invoker mode: the close runs on the thread that polls, which is this one.
            final Connection victim = ringport.connect("test.breaker").setEventHandler(eventsInto(events));
            final RingportException violation = breakAndFlood(daemon, victim);

            victim.close();

            assertEquals(List.of("INVALIDATED: " + violation.getMessage()), events);
            victim.poll(10);
            assertEquals(1, events.size(), events.toString());
            assertEquals(ErrorCode.CLOSED, assertThrows(RingportException.class, () -> victim.send(FLOOD)).code());
        }
    }

    @Test
    void aHandlerThatClosesTheConnectionItsSendFoundBrokenStillGetsInvalidatedOnce() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create()
                .defineTestService("test.breaker", "ring.c2s.capacity = 4k")
                .defineTestService("test.driver")
                .start();
            Ringport ringport = daemon.open())
        {
            // Managed mode: the handler of another connection sends on this one, on the receiver thread.
            final Connection victim = ringport.connect("test.breaker").setEventHandler(eventsInto(events)).resume();
            victim.requestSync(bytes("Eup"), TIMEOUT);
            victim.requestSync(bytes("S"), TIMEOUT);
            breakHead(daemon.home.resolve(daemon.ringFile("c2s-")), RingKind.C2S);
            final CompletableFuture<RingportException> found = new CompletableFuture<>();
            final Connection driver = ringport.connect("test.driver").setEventHandler(message ->
            {
                if (!found.isDone())
                {
                    try
                    {
                        for (int i = 0; i < 1_000; i++)
                        {
                            victim.send(FLOOD);
                        }
                        found.completeExceptionally(new AssertionError("every send went through"));
                    }
                    catch (final RingportException ex)
                    {
                        victim.close();
                        found.complete(ex);
                    }
                }
            }).resume();

            driver.requestSync(bytes("N"), TIMEOUT);
            final RingportException violation = found.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(ErrorCode.PROTOCOL_VIOLATION, violation.code(), violation.getMessage());
            // A round trip through the receiver thread after the handler's close: anything queued has run by then.
            driver.requestSync(bytes("Eafter"), TIMEOUT);

            assertEquals(List.of("INVALIDATED: " + violation.getMessage()), events);
        }
    }

    @Test
    void aWorkersSendAfterItsViolationIsToldTheViolationAlsoOnceTheListenerClosedTheConnection() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim", "ring.s2c.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection breaker = ringport.connect("test.victim").setEventHandler(eventsInto(events));
            final long connectionId = breakWhileAWorkerFloods(daemon, breaker, false);

            TestDaemon.await("the breaker's connection is closed by the service", () ->
            {
                breaker.poll(100);
                return !events.isEmpty();
            });
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());

            // Now that the listener has closed the connection, the worker sends once more.
            Files.writeString(daemon.scratch.resolve("send-again-" + connectionId), "", UTF_8);
            final Path then = daemon.scratch.resolve("flood-then-" + connectionId);
            TestDaemon.await("the worker's later send", () -> Files.exists(then));
            assertEquals(Files.readString(daemon.scratch.resolve("flood-" + connectionId), UTF_8),
                Files.readString(then, UTF_8), "the later send is told the same violation, not CLOSED");
        }
    }

    @Test
    void aHandlersSendThatFindsTheViolationEndsTheDeliveriesAndOnlyAnotherExceptionOfItsIsReported() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim", "ring.s2c.capacity = 4k")
                .start();
            Ringport ringport = daemon.open())
        {
            final List<String> other = new CopyOnWriteArrayList<>();
            final long throwsOther = breakWhileTheHandlerFloods(daemon, ringport, "Gx", other);
            final List<String> same = new CopyOnWriteArrayList<>();
            final long throwsSame = breakWhileTheHandlerFloods(daemon, ringport, "Gv", same);

            for (final long connectionId : new long[] {throwsOther, throwsSame})
            {
                final String failure = Files.readString(daemon.scratch.resolve("flood-" + connectionId), UTF_8);
                assertTrue(failure.startsWith("PROTOCOL_VIOLATION: ring ") && failure.contains("consumer position"),
                    failure);
                final String reason = failure.substring("PROTOCOL_VIOLATION: ".length());
                // Sent after the request whose handler found the violation: never delivered.
                assertEquals("count=0 lastInOrder=0 outOfOrder=0 reason=" + reason,
                    Files.readString(daemon.scratch.resolve("invalidated-" + connectionId), UTF_8));
                assertEquals(1, occurrences(daemon.log(), "closing connection " + connectionId + ": " + reason),
                    daemon.log());
            }
            assertTrue(daemon.log().contains("the handler of connection " + throwsOther + " threw " +
                "java.lang.IllegalStateException: test service told to throw after its send failed; serving on"),
                daemon.log());
            assertFalse(daemon.log().contains("the handler of connection " + throwsSame + " threw"),
                "the violation itself is said once, as the connection closes:\n" + daemon.log());
            assertTrue(other.get(0).startsWith("CLOSED"), other.toString());
            assertTrue(same.get(0).startsWith("CLOSED"), same.toString());
        }
    }

    @Test
    void aWorkersViolationWakesABlockingListenerAsleepForLongerThanTheTestWaits() throws Exception
    {
        // Without the futex a blocking listener parks 200 µs at a time and would see the finding without a wake.
        assumeTrue(Futex.isAvailable(), "no futex doorbell here");
        final List<String> events = new CopyOnWriteArrayList<>();
        // A sleep far past the test's deadline: only a wake can get the listener to close the connection in time.
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim", "ring.s2c.capacity = 4k",
                "environment.WAIT_STRATEGY = BLOCKING", "environment.MAX_SLEEP = PT10M")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection breaker = ringport.connect("test.victim").setEventHandler(eventsInto(events));
            final long connectionId = breakWhileAWorkerFloods(daemon, breaker, true);

            TestDaemon.await("the breaker's connection is closed by the service", () ->
            {
                breaker.poll(100);
                return !events.isEmpty();
            });
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());
            assertTrue(daemon.log().contains("closing connection " + connectionId + ": ring "), daemon.log());
        }
    }

    /** Stall the service, break its consumer position in the ring the client writes, send until a send refuses. */
    private static RingportException breakAndFlood(final TestDaemon daemon, final Connection victim)
    {
        victim.requestSync(bytes("Eup"), TIMEOUT);
        victim.requestSync(bytes("S"), TIMEOUT);
        breakHead(daemon.home.resolve(daemon.ringFile("c2s-")), RingKind.C2S);
        return floodUntilRefused(victim);
    }

    /** Send until the writer reads the broken consumer position again, which it does when its known room runs out. */
    private static RingportException floodUntilRefused(final Connection victim)
    {
        final RingportException ex = assertThrows(RingportException.class, () ->
        {
            for (int i = 0; i < 1_000; i++)
            {
                victim.send(FLOOD);
            }
        });
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code(), ex.getMessage());
        assertTrue(ex.getMessage().contains("consumer position"), ex.getMessage());
        return ex;
    }

    /**
     * A worker of the service sends to the client until a send fails, while the client's consumer position in the
     * ring it reads goes bad; returns the connection's id once the worker's send failed.
     */
    private static long breakWhileAWorkerFloods(
        final TestDaemon daemon, final Connection breaker, final boolean listenerAsleep) throws IOException
    {
        breaker.requestSync(bytes("Eup"), TIMEOUT);
        final String s2c = daemon.ringFile("s2c-");
        final long connectionId = connectionId(daemon.home.resolve(s2c));
        // Invoker mode: nothing reads the ring the service writes while the test does not poll.
        breaker.requestSync(bytes("Fs"), TIMEOUT);
        if (listenerAsleep)
        {
            // This test writes nothing more into the ring the listener reads (BLOCKING), so nothing but the finding
            // can wake it from here on.
            daemon.awaitListenerAsleep("test.victim");
        }
        breakHead(daemon.home.resolve(s2c), RingKind.S2C);
        final Path flood = daemon.scratch.resolve("flood-" + connectionId);
        TestDaemon.await("the worker's send failed", () -> Files.exists(flood));
        final String failure = Files.readString(flood, UTF_8);
        assertTrue(failure.startsWith("PROTOCOL_VIOLATION: ring ") && failure.contains("consumer position"), failure);
        return connectionId;
    }

    /**
     * A new connection whose request makes the service's handler send to it, on the listener's thread, until a send
     * fails, with three one-way messages sent behind the request; the client's consumer position goes bad once the
     * reply is in. Returns the connection's id once the service closed the connection.
     */
    private static long breakWhileTheHandlerFloods(
        final TestDaemon daemon, final Ringport ringport, final String request, final List<String> events)
    {
        final List<String> before = daemon.ringFiles();
        final Connection breaker = ringport.connect("test.victim").setEventHandler(eventsInto(events));
        breaker.requestSync(bytes("Eup"), TIMEOUT);
        final String s2c = daemon.ringFiles().stream().filter(n -> n.startsWith("s2c-") && !before.contains(n))
            .findFirst().orElseThrow();
        final long connectionId = connectionId(daemon.home.resolve(s2c));
        final CompletableFuture<Message> reply = breaker.request(new UnsafeBuffer(bytes(request)), 0, request.length());
        final UnsafeBuffer sequenced = new UnsafeBuffer(new byte[16]);
        for (long sequence = 1; sequence <= 3; sequence++)
        {
            sequenced.putLong(0, sequence);
            breaker.send(sequenced, 0, sequenced.capacity());
        }
        TestDaemon.await("the reply, before the handler's sends", () ->
        {
            breaker.poll(1);
            return reply.isDone();
        });
        breakHead(daemon.home.resolve(s2c), RingKind.S2C);
        final Path invalidated = daemon.scratch.resolve("invalidated-" + connectionId);
        TestDaemon.await("the service's INVALIDATED", () -> Files.exists(invalidated));
        TestDaemon.await("the connection closed by the service", () ->
        {
            breaker.poll(100);
            return !events.isEmpty();
        });
        return connectionId;
    }

    /** Wait until the producer of a ring has written this many messages (its traffic counter). */
    private static void awaitMessagesWritten(final Path ringFile, final long messages)
    {
        try (RingFile ring = RingFile.map(ringFile, RingKind.S2C, null))
        {
            TestDaemon.await(messages + " messages in " + ringFile, () ->
                ring.header().getLongVolatile(RingFileDescriptor.PRODUCER_MESSAGES_OFFSET) >= messages);
        }
    }

    private static long connectionId(final Path ringFile)
    {
        try (RingFile ring = RingFile.map(ringFile, RingKind.S2C, null))
        {
            return ring.connectionId();
        }
    }

    /** Is a file of this name mapped into this process? */
    private static boolean isMapped(final String fileName)
    {
        try
        {
            return Files.readString(Path.of("/proc/self/maps"), UTF_8).contains(fileName);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int occurrences(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1))
        {
            count++;
        }
        return count;
    }

    /** A handler that writes each message's text and each event, with its reason, into a list. */
    private static EventHandler recorder(final List<String> events)
    {
        return new EventHandler()
        {
            public void onMessage(final Message message)
            {
                events.add("message: " + new String(message.toByteArray(), UTF_8));
            }

            public void onEvent(final ConnectionEvent event, final String reason)
            {
                events.add(event + ": " + reason);
            }
        };
    }
}
