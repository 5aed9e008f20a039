package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.client.WaitStrategy;
import io.ringport.core.RingportException;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingFileDescriptor;
import io.ringport.core.ring.RingKind;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.ringport.it.CorruptRingTest.eventsInto;
import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client and service API against one real daemon and real service processes.
 */
class ConnectionApiTest
{
    private static final String SERVICE = "test.api";
    private static final String THROWING = "test.throwing";
    /** Launched by one test only, so that what its first connection sends is read in one pass. */
    private static final String CLOSING = "test.closing";
    /** Its own, so that the 'Q' it is sent writes no file another test waits for. */
    private static final String WORKER = "test.worker";
    private static TestDaemon daemon;

    @BeforeAll
    static void startDaemon() throws Exception
    {
        daemon = TestDaemon.create()
            .defineTestService(SERVICE)
            .defineTestService("test.small", "ring.c2s.capacity = 4k", "maxMessageLength = 256")
            .defineTestService(THROWING, "environment.THROW_ON_FIRST_CONNECTION = true")
            .defineTestService(CLOSING)
            .defineTestService(WORKER)
            .start();
    }

    @AfterAll
    static void stopDaemon() throws Exception
    {
        daemon.close();
    }

    @Test
    void requestFutureAndRequestSyncGetTheirOwnReplies() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE).resume();
            final CompletableFuture<Message> first = connection.request(new UnsafeBuffer(bytes("Efirst")), 0, 6);
            final CompletableFuture<Message> second = connection.request(new UnsafeBuffer(bytes("Esecond")), 0, 7);
            assertEquals("second", text(second.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)));
            assertEquals("first", text(first.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)));
            assertEquals("third", text(connection.requestSync(bytes("Ethird"), TIMEOUT)));
        }
    }

    @Test
    void requestSyncWithoutResumePollsOnTheCallersThread() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE);
            assertEquals("invoker", text(connection.requestSync(bytes("Einvoker"), TIMEOUT)));
        }
    }

    @Test
    void requestSyncTimesOutWhenNoReplyComes() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE).resume();
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            final RingportException ex = assertThrows(RingportException.class,
                () -> connection.requestSync(bytes("I"), Duration.ofMillis(200)));
            assertEquals(ErrorCode.TIMED_OUT, ex.code());
            assertTrue(ex.getMessage().contains("'" + SERVICE + "'"), ex.getMessage());
            assertEquals("still works", text(connection.requestSync(bytes("Estill works"), TIMEOUT)));
        }
    }

    @Test
    void serviceSendsReachTheEventHandlerInOrderAfterTheReply() throws Exception
    {
        final List<String> received = new CopyOnWriteArrayList<>();
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE)
                .setEventHandler(message -> received.add(text(message)))
                .resume();
            connection.requestSync(bytes("N"), TIMEOUT);
            TestDaemon.await("three notes", () -> received.size() == 3);
            assertEquals(List.of("n1", "n2", "n3"), received);
        }
    }

    @Test
    void aClientHandlerThatThrowsLeavesTheConnectionWorking() throws Exception
    {
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        final EventHandler throwsOnTheFirstNote = new EventHandler()
        {
            public void onMessage(final Message message)
            {
                final String note = text(message);
                received.add(note);
                if ("n1".equals(note))
                {
                    // As a send of the handler's own that timed out would: a RingportException, not the ring's.
                    throw new RingportException(ErrorCode.BACK_PRESSURE, "handler's own failure");
                }
            }

            public void onEvent(final ConnectionEvent event, final String reason)
            {
                events.add(event);
            }
        };
        try (Ringport ringport = daemon.open())
        {
            final Connection managed = ringport.connect(SERVICE).setEventHandler(throwsOnTheFirstNote).resume();
            managed.requestSync(bytes("N"), TIMEOUT);
            TestDaemon.await("three notes, the first one thrown at", () -> received.size() == 3);
            assertEquals("still connected", text(managed.requestSync(bytes("Estill connected"), TIMEOUT)));

            received.clear();
            final Connection invoker = ringport.connect(SERVICE).setEventHandler(throwsOnTheFirstNote);
            final CompletableFuture<Message> reply = invoker.request(new UnsafeBuffer(bytes("N")), 0, 1);
            final RingportException thrown = assertThrows(RingportException.class, () ->
            {
                final long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (System.nanoTime() < deadline)
                {
                    invoker.poll(16);
                }
            });
            assertEquals("handler's own failure", thrown.getMessage());
            assertTrue(reply.isDone(), "the reply came before the notes");
            TestDaemon.await("the other notes", () ->
            {
                invoker.poll(16);
                return received.size() == 3;
            });
            assertEquals("invoker", text(invoker.requestSync(bytes("Einvoker"), TIMEOUT)));
            assertEquals(List.of(), events);
        }
    }

    @Test
    void aHandlerMayCloseItsOwnConnectionFromInsideTheRead() throws Exception
    {
        final List<String> received = new CopyOnWriteArrayList<>();
        final Connection[] self = new Connection[1];
        try (Ringport ringport = daemon.open())
        {
            // The rings are let go after the read returns: unmapped under it, the reader would fault.
            // Recorded after close() returned: the test thread's next send must not race the close (single writer).
            self[0] = ringport.connect(SERVICE).setEventHandler(message ->
            {
                final String note = text(message);
                self[0].close();
                received.add(note);
            }).resume();
            self[0].requestSync(bytes("N"), TIMEOUT);
            TestDaemon.await("the first note, which closed the connection", () -> !received.isEmpty());
            final RingportException closed = assertThrows(RingportException.class,
                () -> self[0].requestSync(bytes("Eafter"), TIMEOUT));
            assertEquals(ErrorCode.CLOSED, closed.code());
            assertEquals(List.of("n1"), received, "nothing is delivered after close()");
            assertEquals("again", text(ringport.connect(SERVICE).requestSync(bytes("Eagain"), TIMEOUT)));
        }
    }

    @Test
    void callsThatWouldWaitForTheReceiverThreadAreRefusedOnIt() throws Exception
    {
        final List<String> refusals = new CopyOnWriteArrayList<>();
        final Ringport[] handle = new Ringport[1];
        final Connection[] self = new Connection[1];
        try (Ringport ringport = daemon.open())
        {
            handle[0] = ringport;
            // Ringport.close() joins the receiver thread; requestSync waits for a reply only that thread delivers.
            final List<Runnable> calls = List.of(() -> handle[0].close(), () -> self[0].requestSync(bytes("Ex"), TIMEOUT));
            self[0] = ringport.connect(SERVICE).setEventHandler(message ->
            {
                for (final Runnable call : calls)
                {
                    try
                    {
                        call.run();
                    }
                    catch (final IllegalStateException ex)
                    {
                        refusals.add(ex.getMessage());
                    }
                }
            }).resume();
            self[0].requestSync(bytes("N"), TIMEOUT);
            TestDaemon.await("two refusals per note", () -> refusals.size() == 6);
            assertTrue(refusals.get(0).startsWith("Ringport.close() called from a handler on the receiver thread"),
                refusals.toString());
            assertTrue(refusals.get(1).startsWith("requestSync to '" + SERVICE + "' from a handler on the receiver " +
                "thread"), refusals.toString());
            assertEquals("still open", text(self[0].requestSync(bytes("Estill open"), TIMEOUT)));
            final IllegalStateException polled = assertThrows(IllegalStateException.class, () -> self[0].poll(16));
            assertEquals("poll of the connection to '" + SERVICE + "' after resume(): the receiver thread polls it",
                polled.getMessage());

            // In invoker mode a handler that polls its own connection would read the same messages again.
            refusals.clear();
            final Connection invoker = ringport.connect(SERVICE);
            invoker.setEventHandler(message ->
            {
                try
                {
                    invoker.requestSync(bytes("Ex"), TIMEOUT);
                }
                catch (final IllegalStateException ex)
                {
                    refusals.add(ex.getMessage());
                }
            });
            final CompletableFuture<Message> notes = invoker.request(new UnsafeBuffer(bytes("N")), 0, 1);
            TestDaemon.await("a refusal per note", () ->
            {
                invoker.poll(16);
                return refusals.size() == 3;
            });
            assertTrue(notes.isDone());
            assertTrue(refusals.get(0).startsWith("poll of the connection to '" + SERVICE + "' from inside its own " +
                "message handler"), refusals.toString());

            // The same on the service's side: a listener cycle from inside a handler.
            assertTrue(text(invoker.requestSync(bytes("W"), TIMEOUT)).startsWith("doWork() of the listener of '" +
                SERVICE + "' from inside its own cycle"));
        }
    }

    @Test
    void peerCredentialsAreThoseOfTheClientProcess() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Message reply = ringport.connect(SERVICE).requestSync(bytes("P"), TIMEOUT);
            final Path self = Path.of("/proc/self");
            assertEquals((int)Files.getAttribute(self, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                reply.buffer().getInt(reply.offset()));
            assertEquals((int)Files.getAttribute(self, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                reply.buffer().getInt(reply.offset() + 4));
            assertEquals(ProcessHandle.current().pid(), reply.buffer().getLong(reply.offset() + 8));
        }
    }

    @Test
    void closeDeliversEverythingSentThenClosedAndTheDaemonRemovesTheFiles() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE);
            connection.requestSync(bytes("Estart"), TIMEOUT);
            final List<String> before = daemon.ringFiles();
            assertTrue(before.stream().anyMatch(n -> n.startsWith("c2s-")), before.toString());

            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            for (long sequence = 1; sequence <= 5_000; sequence++)
            {
                message.putLong(0, sequence);
                connection.send(message, 0, 64);
            }
            final long connectionId = connectionIdOf(before);
            connection.close();

            final Path closed = daemon.scratch.resolve("closed-" + connectionId);
            TestDaemon.await("service saw the close", () -> Files.exists(closed));
            assertEquals("count=5000 lastInOrder=5000 outOfOrder=0", Files.readString(closed, UTF_8));
            TestDaemon.await("connection files removed", () -> daemon.ringFiles().stream()
                .noneMatch(n -> before.contains(n) && !n.startsWith("port-")));

            final RingportException ex = assertThrows(RingportException.class, () -> connection.send(bytes("late")));
            assertEquals(ErrorCode.CLOSED, ex.code());
        }
    }

    @Test
    void aSendRacingACloseOnAnotherThreadFailsWithClosedInsteadOfCrashingTheJvm() throws Exception
    {
        // Against the single-writer rule, but easy to write. The close used to unmap the ring at once, and a send
        // still writing into it crashed the JVM (SIGSEGV) instead of failing.
        try (Ringport ringport = daemon.open())
        {
            for (int round = 0; round < 30; round++)
            {
                final Connection connection = ringport.connect(SERVICE);
                connection.requestSync(bytes("Estart"), TIMEOUT);
                final AtomicLong sent = new AtomicLong();
                final CompletableFuture<RingportException> sender = CompletableFuture.supplyAsync(() ->
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
                    try
                    {
                        while (true)
                        {
                            message.putLong(0, sent.get() + 1);
                            if (connection.offer(message, 0, 64))
                            {
                                sent.incrementAndGet();
                            }
                        }
                    }
                    catch (final RingportException ex)
                    {
                        return ex;
                    }
                });
                final long start = sent.get();
                TestDaemon.await("the sender sends", () -> sent.get() > start + 1_000);
                connection.close();

                final RingportException ex = sender.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(ErrorCode.CLOSED, ex.code(), ex.getMessage());
            }
        }
    }

    @Test
    void aServiceWorkerStillSendingWhenItsConnectionClosesGetsClosedAndTheServiceServesOn() throws Exception
    {
        // The listener lets go of a closed peer's rings on its own thread while a worker of the service still writes
        // into one: offering, racing its client's close; or sending, waiting for room in the ring its client does not
        // read, when the service closes the peer ('Q'), for longer than the second the ring stays mapped. Each
        // crashed the service's JVM before.
        try (Ringport ringport = daemon.open())
        {
            for (int round = 0; round < 16; round++)
            {
                final boolean serviceCloses = round % 4 == 3;
                final Connection connection = ringport.connect(WORKER);
                connection.requestSync(bytes(serviceCloses ? "Fs" : "Fo"), TIMEOUT);
                final long connectionId = connectionIdOf(daemon.ringFiles());
                if (serviceCloses)
                {
                    final Path full = daemon.home.resolve(daemon.ringFiles().stream()
                        .filter(n -> n.startsWith("s2c-")).filter(n -> connectionIdMatches(n, connectionId))
                        .findFirst().orElseThrow());
                    TestDaemon.await("the worker waits for room", () -> isFull(full));
                    connection.request(new UnsafeBuffer(bytes("Q")), 0, 1);
                }
                else
                {
                    connection.close();
                }

                final Path flood = daemon.scratch.resolve("flood-" + connectionId);
                TestDaemon.await("the worker's send failed", () -> Files.exists(flood));
                assertTrue(Files.readString(flood, UTF_8).startsWith("CLOSED: "), Files.readString(flood, UTF_8));
                connection.close();
            }
            assertEquals("still serving", text(ringport.connect(WORKER).requestSync(bytes("Estill serving"),
                TIMEOUT)));
        }
    }

    @Test
    void serviceSideCloseReachesTheClientAsClosedAndTheNextSendReconnects() throws Exception
    {
        final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE).setEventHandler(new EventHandler()
            {
                public void onMessage(final Message message)
                {
                }

                public void onEvent(final ConnectionEvent event, final String reason)
                {
                    events.add(event);
                }
            }).resume();
            connection.requestSync(bytes("Ebefore"), TIMEOUT);
            final CompletableFuture<Message> unanswered = connection.request(new UnsafeBuffer(bytes("Q")), 0, 1);
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> unanswered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(ErrorCode.CLOSED, ((RingportException)ex.getCause()).code());
            TestDaemon.await("CLOSED event", () -> events.contains(ConnectionEvent.CLOSED));
            final Path sendAfterClose = daemon.scratch.resolve("send-after-close-" + SERVICE);
            TestDaemon.await("the service's send after its close", () -> Files.exists(sendAfterClose));
            assertTrue(Files.readString(sendAfterClose, UTF_8).matches("CLOSED: connection \\d+ of '" + SERVICE +
                "' is closed"), Files.readString(sendAfterClose, UTF_8));
            assertEquals("after", text(connection.requestSync(bytes("Eafter"), TIMEOUT)));
        }
    }

    @Test
    void aMessageHandlerThatThrowsIsReportedAndTheServiceServesOn() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(SERVICE).resume();
            final Connection other = ringport.connect(SERVICE).resume();
            assertEquals("before", text(connection.requestSync(bytes("Ebefore"), TIMEOUT)));
            final CompletableFuture<Message> unanswered = connection.request(new UnsafeBuffer(bytes("T")), 0, 1);

            assertEquals("after", text(connection.requestSync(bytes("Eafter"), TIMEOUT)));
            assertEquals("other", text(other.requestSync(bytes("Eother"), TIMEOUT)));
            assertFalse(unanswered.isDone());

            // A claim the throwing handler left open is dropped, or every later reply would fail.
            final CompletableFuture<Message> claimed = connection.request(new UnsafeBuffer(bytes("U")), 0, 1);
            assertEquals("after the claim", text(connection.requestSync(bytes("Eafter the claim"), TIMEOUT)));
            assertFalse(claimed.isDone());
            TestDaemon.await("the service reported the exception", () -> daemon.log().matches(
                "(?s).*ringport: " + SERVICE + ": the handler of connection \\d+ threw " +
                "java.lang.IllegalStateException: test service told to throw; serving on.*"));
        }
    }

    @Test
    void aConnectionHandlerThatThrowsClosesThatConnectionOnly() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect(THROWING).resume();
            final CompletableFuture<Message> first = connection.request(new UnsafeBuffer(bytes("Efirst")), 0, 6);
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> first.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(ErrorCode.CLOSED, ((RingportException)ex.getCause()).code());
            TestDaemon.await("the service reported the exception", () -> daemon.log().contains(
                "ringport: " + THROWING + ": the connection handler, for connection "));

            assertEquals("second", text(connection.requestSync(bytes("Esecond"), TIMEOUT)));
            assertEquals("third", text(ringport.connect(THROWING).requestSync(bytes("Ethird"), TIMEOUT)));
        }
    }

    @Test
    void aPeerClosedByItsHandlerGetsNothingMoreOfThatRead() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            // Sent before the service runs, so its listener reads both in its first pass: the close, then a request.
            final Connection connection = ringport.connect(CLOSING);
            final CompletableFuture<Message> close = connection.request(new UnsafeBuffer(bytes("Q")), 0, 1);
            final CompletableFuture<Message> after = connection.request(new UnsafeBuffer(bytes("Eafter")), 0, 6);
            TestDaemon.await("the service's close", () ->
            {
                connection.poll(16);
                return close.isDone() && after.isDone();
            });
            final ExecutionException ex = assertThrows(ExecutionException.class, after::get);
            assertEquals(ErrorCode.CLOSED, ((RingportException)ex.getCause()).code());
            assertFalse(daemon.log().contains("ringport: " + CLOSING + ": the handler of connection"),
                "the request after the close never reached the handler, whose reply would have failed:\n" +
                daemon.log());
        }
    }

    @Test
    void offerReportsBackPressureAndSendTimesOutWhenTheServiceDoesNotRead() throws Exception
    {
        final Ringport.Context context = daemon.context().sendTimeout(Duration.ofMillis(100));
        try (Ringport ringport = Ringport.open(context))
        {
            final Connection connection = ringport.connect("test.small");
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            // 'I' requests are never answered; with nobody draining replies the service still reads, so fill the
            // ring faster than one 4 KiB ring can take: offer never waits and must say false at some point.
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            boolean refused = false;
            for (int i = 0; i < 1_000_000 && !refused; i++)
            {
                refused = !connection.offer(message, 0, 200);
            }
            assertTrue(refused, "a 4 KiB ring must push back");
        }
    }

    @Test
    void messagesLongerThanTheConnectionTakesAreRefusedWithNothingWritten() throws Exception
    {
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.small");
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            final RingportException ex = assertThrows(RingportException.class, () -> connection.send(new byte[257]));
            assertEquals(ErrorCode.MESSAGE_TOO_LONG, ex.code());
            assertTrue(ex.getMessage().contains("257"), ex.getMessage());
            final Message counts = connection.requestSync(bytes("C"), TIMEOUT);
            assertEquals(0, counts.buffer().getLong(counts.offset()), "nothing half-written reached the service");
        }
    }

    @Test
    void unknownServiceIsInvalidatedWithTheKnownNames() throws Exception
    {
        final List<String> reasons = new CopyOnWriteArrayList<>();
        try (Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.nobody").setEventHandler(eventsInto(reasons)).resume();
            final RingportException ex = assertThrows(RingportException.class, () -> connection.send(bytes("x")));
            assertEquals(ErrorCode.UNKNOWN_SERVICE, ex.code());
            assertEquals("service 'test.nobody' is not registered (known: test.api, test.closing, test.small, " +
                "test.throwing, test.worker)", ex.getMessage());
            TestDaemon.await("INVALIDATED event", () -> !reasons.isEmpty());
            assertTrue(reasons.get(0).startsWith("INVALIDATED: service 'test.nobody'"), reasons.toString());
            assertFalse(connection.isConnected());
            assertThrows(IllegalArgumentException.class, () -> ringport.connect("../etc/passwd"));
        }
    }

    @Test
    void anInvokersCloseAfterARefusedConnectStillTellsTheHandlerInvalidatedOnce() throws Exception
    {
        final List<String> reasons = new CopyOnWriteArrayList<>();
        try (Ringport ringport = daemon.open())
        {
            // Invoker mode, never polled: the event waits in the queue, with no endpoint to let go of.
            final Connection connection = ringport.connect("test.nobody").setEventHandler(eventsInto(reasons));
            assertEquals(ErrorCode.UNKNOWN_SERVICE,
                assertThrows(RingportException.class, () -> connection.send(bytes("x"))).code());

            connection.close();

            assertEquals(1, reasons.size(), reasons.toString());
            assertTrue(reasons.get(0).startsWith("INVALIDATED: service 'test.nobody'"), reasons.toString());
            connection.poll(10);
            assertEquals(1, reasons.size(), "told once: " + reasons);
        }
    }

    @Test
    void blockingEndsSleepOnTheirDoorbellsAndTheNextMessageWakesThem() throws Exception
    {
        final List<String> received = new CopyOnWriteArrayList<>();
        try (Ringport ringport = Ringport.open(daemon.context().waitStrategy(WaitStrategy.BLOCKING)))
        {
            final Connection connection = ringport.connect(SERVICE)
                .setEventHandler(message -> received.add(text(message)))
                .resume();
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            final long id = connectionIdOf(daemon.ringFiles());
            try (RingFile c2s = ring(id, "c2s-", RingKind.C2S); RingFile s2c = ring(id, "s2c-", RingKind.S2C))
            {
                for (int round = 1; round <= 3; round++)
                {
                    TestDaemon.await("service asleep on its c2s doorbell", () -> sleeping(c2s));
                    TestDaemon.await("client receiver asleep on its s2c doorbell", () -> sleeping(s2c));
                    connection.requestSync(bytes("N"), TIMEOUT);
                    final int expected = 3 * round;
                    TestDaemon.await("notes delivered by the woken receiver", () -> received.size() == expected);
                }
            }
        }
    }

    @Test
    void inInvokerModeABlockingCallerSleepsOnItsOwnDoorbellUntilTheReply() throws Exception
    {
        try (Ringport ringport = Ringport.open(daemon.context().waitStrategy(WaitStrategy.BLOCKING)))
        {
            final Connection connection = ringport.connect(SERVICE);
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            final long id = connectionIdOf(daemon.ringFiles());
            try (RingFile c2s = ring(id, "c2s-", RingKind.C2S); RingFile s2c = ring(id, "s2c-", RingKind.S2C))
            {
                TestDaemon.await("service asleep on its c2s doorbell", () -> sleeping(c2s));
                final CompletableFuture<Message> unanswered = CompletableFuture.supplyAsync(
                    () -> connection.requestSync(bytes("I"), Duration.ofSeconds(2)));
                TestDaemon.await("the caller asleep on its s2c doorbell", () -> sleeping(s2c));
                final ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> unanswered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(ErrorCode.TIMED_OUT, ((RingportException)ex.getCause()).code(), "its deadline still holds");
                TestDaemon.await("service asleep again", () -> sleeping(c2s));
            }
            assertEquals("after", text(connection.requestSync(bytes("Eafter"), TIMEOUT)));
        }
    }

    @Test
    void anInvokerLoopIdlingWithTheConnectionsStrategySleepsOnItsDoorbellAndIsWokenByTheService() throws Exception
    {
        final List<String> received = new CopyOnWriteArrayList<>();
        try (Ringport ringport = Ringport.open(daemon.context().waitStrategy(WaitStrategy.BLOCKING)))
        {
            final Connection connection = ringport.connect(SERVICE)
                .setEventHandler(message -> received.add(text(message)));
            connection.requestSync(bytes("Ewarm"), TIMEOUT);
            final long id = connectionIdOf(daemon.ringFiles());
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread poller = new Thread(() ->
            {
                final IdleStrategy idle = connection.idleStrategy();
                while (!stop.get())
                {
                    idle.idle(connection.poll(16));
                }
            }, "invoker-loop");
            poller.start();
            try (RingFile s2c = ring(id, "s2c-", RingKind.S2C))
            {
                for (int round = 1; round <= 3; round++)
                {
                    TestDaemon.await("the invoker loop asleep on its s2c doorbell", () -> sleeping(s2c));
                    final CompletableFuture<Message> reply = connection.request(new UnsafeBuffer(bytes("N")), 0, 1);
                    assertEquals(0, reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).length());
                    final int expected = 3 * round;
                    TestDaemon.await("notes delivered by the woken loop", () -> received.size() == expected);
                }
                assertEquals(List.of("n1", "n2", "n3"), received.subList(6, 9));
            }
            finally
            {
                stop.set(true);
                poller.join(TIMEOUT.toMillis());
            }
            assertFalse(poller.isAlive());
        }
    }

    private static boolean sleeping(final RingFile ring)
    {
        return RingFileDescriptor.WAITER_SLEEPING ==
            ring.header().getIntVolatile(RingFileDescriptor.CONSUMER_WAITER_OFFSET);
    }

    private static RingFile ring(final long connectionId, final String prefix, final RingKind kind)
    {
        for (final String name : daemon.ringFiles())
        {
            if (name.startsWith(prefix))
            {
                final Path file = daemon.home.resolve(name);
                final RingFile ring;
                try
                {
                    ring = RingFile.map(file, kind, null);
                }
                catch (final RingportException ex)
                {
                    if (Files.exists(file))
                    {
                        throw ex;
                    }
                    // A ring of an earlier test's connection, which the daemon removed after it was listed.
                    continue;
                }
                if (ring.connectionId() == connectionId)
                {
                    return ring;
                }
                ring.close();
            }
        }
        throw new AssertionError("no " + prefix + " ring for connection " + connectionId);
    }

    private static boolean connectionIdMatches(final String ringFile, final long connectionId)
    {
        try (RingFile ring = RingFile.map(daemon.home.resolve(ringFile), RingKind.S2C, null))
        {
            return ring.connectionId() == connectionId;
        }
        catch (final RingportException ex)
        {
            return false; // an earlier test's, removed after the listing
        }
    }

    /** Has a ring less room left than a writer of 64-byte messages may find too little, padding at the wrap included? */
    private static boolean isFull(final Path ringFile)
    {
        try (RingFile ring = RingFile.map(ringFile, RingKind.S2C, null))
        {
            final long tail = ring.ring().getLongVolatile(ring.capacity() + RingDescriptor.TAIL_POSITION_OFFSET);
            final long clean = ring.ring().getLongVolatile(ring.capacity() + RingDescriptor.CLEAN_POSITION_OFFSET);
            return ring.capacity() - (tail - clean) < 2 * 128;
        }
    }

    private static long connectionIdOf(final List<String> files) throws Exception
    {
        long newest = -1;
        for (final String c2s : files.stream().filter(n -> n.startsWith("c2s-")).toList())
        {
            final Path path = daemon.home.resolve(c2s);
            try (RingFile ring = RingFile.map(path, RingKind.C2S, null))
            {
                newest = Math.max(newest, ring.connectionId());
            }
            catch (final RingportException ex)
            {
                // An earlier test's connection, whose files the daemon removed after the listing.
                if (Files.exists(path))
                {
                    throw ex;
                }
            }
        }
        return newest;
    }

    private static String text(final Message message)
    {
        return new String(message.toByteArray(), UTF_8);
    }
}
