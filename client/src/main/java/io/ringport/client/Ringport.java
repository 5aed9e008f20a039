package io.ringport.client;

import io.ringport.client.internal.ControlSession;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.RingportException;
import io.ringport.core.ServiceNames;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A process's handle on the Ringport bus: finds the daemon through {@code RINGPORT_HOME}, opens lazy
 * {@link Connection}s to services, and lets a launched service {@link #checkIn()}.
 * <pre>{@code
 * try (Ringport rp = Ringport.open())
 * {
 *     Connection echo = rp.connect("io.ringport.echo");
 *     Message reply = echo.requestSync("hello".getBytes(), Duration.ofSeconds(1));
 * }
 * }</pre>
 */
public final class Ringport implements AutoCloseable
{
    private static final int MAX_EARLY_EVENTS = 1024;
    private static final long FIRST_CYCLE_WAIT_MS = 200;
    /** The launched service's check-in of its inherited name, which runs alongside its serving; set once. */
    private static final AtomicReference<CompletableFuture<Void>> LAUNCH_CHECK_IN = new AtomicReference<>();

    private final Context ctx;

    private final Map<Long, Connection> routes = new ConcurrentHashMap<>();
    private final Map<Long, ControlMessage> earlyEvents = new LinkedHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Receiver receiver = new Receiver();
    private volatile ControlSession control;
    private final CompletableFuture<ControlSession> opening;
    private final CompletableFuture<Void> firstCycle = new CompletableFuture<>();
    private volatile CompletableFuture<Void> launchCheckIn;
    private AgentRunner receiverRunner;
    private volatile IdleStrategy receiverIdle;
    private volatile Thread receiverThread;
    private volatile boolean closed;

    private Ringport(final Context ctx)
    {
        this.ctx = ctx;
        if (isLaunchedService())
        {
            // The daemon that launched this process is there: connect to it alongside the service's own start-up
            // instead of before it (the session costs a launched JVM tens of milliseconds of class loading).
            opening = new CompletableFuture<>();
            startThread("ringport-control-open", () ->
            {
                try
                {
                    awaitFirstCycle();
                    opening.complete(ControlSession.open(ctx.home(), ctx.controlTimeout(), this::onDaemonEvent));
                }
                catch (final Throwable ex)
                {
                    opening.completeExceptionally(ex);
                }
            });
        }
        else
        {
            opening = null;
            control = ControlSession.open(ctx.home(), ctx.controlTimeout(), this::onDaemonEvent);
        }
    }

    /**
     * Open the bus with the default context: the daemon of {@code RINGPORT_HOME}.
     * <p>
     * In a process the daemon launched (it inherited {@code RINGPORT_SERVICE} and {@code RINGPORT_CHECKIN_TOKEN}) the
     * session with the daemon opens on another thread, so this returns at once; an unreachable daemon is then
     * reported by the first call that needs it.
     *
     * @return an open handle.
     * @throws RingportException ({@link ErrorCode#DAEMON_UNREACHABLE}) when no daemon answers.
     */
    public static Ringport open()
    {
        return open(new Context());
    }

    /**
     * Open the bus with a context.
     *
     * @param ctx configuration; concluded here.
     * @return an open handle.
     * @throws RingportException ({@link ErrorCode#DAEMON_UNREACHABLE}) when no daemon answers.
     */
    public static Ringport open(final Context ctx)
    {
        return new Ringport(ctx.conclude());
    }

    /**
     * A connection to a service; nothing is sent to the daemon until its first message.
     *
     * @param service name of the service.
     * @return a new, not yet established connection.
     * @throws IllegalArgumentException when the name is not a valid service name.
     */
    public Connection connect(final String service)
    {
        ensureOpen();
        ServiceNames.validate(service);
        final Connection connection = new Connection(this, service);
        connections.add(connection);
        return connection;
    }

    /**
     * Claim the service this process was launched for, with the name, port and token it inherited from the daemon
     * ({@code RINGPORT_SERVICE}, {@code RINGPORT_PORT}, {@code RINGPORT_CHECKIN_TOKEN}).
     * <p>
     * The first check-in of a launched process returns at once with a listener on the inherited port, where the
     * daemon has already queued the connections waiting for the service, and checks in with the daemon on another
     * thread meanwhile: the first message is served without waiting for the daemon's answer. Should the daemon
     * refuse, the listener's termination handler gets the reason (by default it closes the listener, so
     * {@link Listener#run()} returns), as with any other reason to stop. Any later check-in in the process waits
     * for the first one's answer and then asks the daemon itself, so it is refused at once.
     *
     * @return a listener for the service's connections.
     * @throws RingportException ({@link ErrorCode#CHECK_IN_REFUSED}) when this process was not launched by the daemon
     *                           or the name is already checked in.
     */
    public Listener checkIn()
    {
        ensureOpen();
        final String service = System.getenv(RingportEnvironment.SERVICE);
        final String token = System.getenv(RingportEnvironment.CHECKIN_TOKEN);
        if (null == service || null == token)
        {
            throw new RingportException(ErrorCode.CHECK_IN_REFUSED, "this process was not launched by ringportd: " +
                RingportEnvironment.SERVICE + " and " + RingportEnvironment.CHECKIN_TOKEN + " are not set");
        }
        final String port = System.getenv(RingportEnvironment.PORT);
        final CompletableFuture<Void> first = new CompletableFuture<>();
        if (null != port && LAUNCH_CHECK_IN.compareAndSet(null, first))
        {
            launchCheckIn = first;
            final Listener listener = new Listener(this, service, Path.of(port));
            startThread("ringport-check-in", () ->
            {
                try
                {
                    checkInWithDaemon(service, token, port);
                    listener.checkInDone();
                }
                catch (final RingportException ex)
                {
                    // Refused: this process must not serve the name. A daemon gone before its answer (killed,
                    // say) is no refusal: the service serves on, as one that had checked in would.
                    listener.checkInFailed(ex, ErrorCode.CHECK_IN_REFUSED == ex.code());
                }
                catch (final RuntimeException ex)
                {
                    listener.checkInFailed(new RingportException(ErrorCode.INTERNAL, "check-in failed: " + ex, ex),
                        false);
                }
                finally
                {
                    first.complete(null);
                }
            });
            return listener;
        }
        final CompletableFuture<Void> earlier = LAUNCH_CHECK_IN.get();
        if (null != earlier)
        {
            earlier.join();
        }
        final Listener listener = new Listener(this, service, Path.of(checkInWithDaemon(service, token, port)));
        listener.checkInDone();
        return listener;
    }

    private String checkInWithDaemon(final String service, final String token, final String inheritedPort)
    {
        ensureOpen();
        final String port = ((ControlMessage.CheckedIn)control().request(
            new ControlMessage.CheckIn(service, token), ctx.controlTimeout())).portPath();
        if (null != inheritedPort && !inheritedPort.equals(port))
        {
            throw new RingportException(ErrorCode.CHECK_IN_REFUSED, "the daemon checked '" + service + "' in on port " +
                port + ", but this process inherited port " + inheritedPort);
        }
        return port;
    }

    /**
     * The services the daemon knows, with their state.
     *
     * @return one entry per service, sorted by name.
     */
    public List<ServiceInfo> listServices()
    {
        return ((ControlMessage.ServiceList)control().request(new ControlMessage.ListServices(),
            ctx.controlTimeout())).services();
    }

    /**
     * Start a service now, without waiting for a message (launchctl kickstart); returns once it has checked in.
     *
     * @param service name of the service.
     * @param kill    stop a running instance first and start a new one.
     * @param timeout longest wait; the service's startTimeout and exitTimeout bound the daemon's own.
     * @return the service's state afterwards.
     */
    public ServiceInfo kickstart(final String service, final boolean kill, final Duration timeout)
    {
        return administer(new ControlMessage.Kickstart(service, kill), timeout);
    }

    /**
     * Stop a service's instance (TERMINATION_IMMINENT, then SIGTERM, then SIGKILL after its exitTimeout); keepAlive
     * does not relaunch it, the next message does.
     *
     * @param service name of the service.
     * @param timeout longest wait.
     * @return the service's state afterwards.
     */
    public ServiceInfo stop(final String service, final Duration timeout)
    {
        return administer(new ControlMessage.Stop(service), timeout);
    }

    /**
     * Load one more service definition file into the running daemon.
     *
     * @param definitionFile the {@code .properties} file, as the daemon's process can read it.
     * @param timeout        longest wait.
     * @return the new service's state.
     */
    public ServiceInfo register(final Path definitionFile, final Duration timeout)
    {
        return administer(new ControlMessage.Register(definitionFile.toAbsolutePath().normalize().toString()), timeout);
    }

    /**
     * Remove a service: its connections are invalidated, its instance stopped, its port removed.
     *
     * @param service name of the service.
     * @param timeout longest wait.
     * @return the service's last state.
     */
    public ServiceInfo unregister(final String service, final Duration timeout)
    {
        return administer(new ControlMessage.Unregister(service), timeout);
    }

    private ServiceInfo administer(final ControlMessage request, final Duration timeout)
    {
        ensureOpen();
        return ((ControlMessage.ServiceList)control().request(request, timeout)).services().get(0);
    }

    /**
     * Ask the daemon to stop its services, remove its files and exit.
     */
    public void shutdownDaemon()
    {
        control().request(new ControlMessage.Shutdown(), ctx.controlTimeout());
    }

    /**
     * The context this handle was opened with.
     *
     * @return the concluded context.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Close every connection and the session with the daemon. Not from a handler on the receiver thread (managed
     * mode), which this waits for.
     *
     * @throws IllegalStateException when called on the receiver thread.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (onReceiverThread())
        {
            // Stopping the receiver joins its thread: from that thread it would wait for itself for ever.
            throw new IllegalStateException("Ringport.close() called from a handler on the receiver thread, which it " +
                "would wait for: close it from another thread (a connection handler may close its own connection)");
        }
        final List<Connection> open = List.copyOf(connections);
        for (final Connection connection : open)
        {
            connection.close();
        }
        closed = true;
        synchronized (this)
        {
            if (null != receiverRunner)
            {
                receiverRunner.close();
                receiverThread = null;
            }
        }
        try
        {
            // With the receiver stopped, this thread is the only one left to finish what the closes queued (a
            // connection whose handler called this finishes when its read returns).
            for (final Connection connection : open)
            {
                connection.settle();
            }
        }
        finally
        {
            final ControlSession session = control;
            if (null != session)
            {
                session.close();
            }
            else
            {
                opening.thenAccept(ControlSession::close);
            }
        }
    }

    ControlSession control()
    {
        ControlSession session = control;
        if (null == session)
        {
            synchronized (this)
            {
                session = control;
                if (null == session)
                {
                    // Opened on another thread; if that failed, try once more here, to throw on the caller's thread.
                    session = opening.handle((opened, ex) -> opened).join();
                    control = null != session ? session :
                        ControlSession.open(ctx.home(), ctx.controlTimeout(), this::onDaemonEvent);
                    session = control;
                }
            }
        }
        if (!session.isOpen())
        {
            synchronized (this)
            {
                session = control;
                if (!session.isOpen())
                {
                    session = ControlSession.open(ctx.home(), ctx.controlTimeout(), this::onDaemonEvent);
                    control = session;
                }
            }
        }
        return session;
    }

    void tellDaemon(final ControlMessage message)
    {
        final CompletableFuture<Void> checkIn = launchCheckIn;
        if (null != checkIn && !checkIn.isDone())
        {
            // What a service says of its connections counts once it has checked in: say it then.
            checkIn.thenRun(() -> tellDaemon(message));
            return;
        }
        final ControlSession session = control;
        if (null == session)
        {
            // Still opening: tell it once open, without holding up the caller (a listener's thread).
            opening.thenAccept(opened -> tellIfOpen(opened, message));
        }
        else
        {
            tellIfOpen(session, message);
        }
    }

    private static void tellIfOpen(final ControlSession session, final ControlMessage message)
    {
        if (session.isOpen())
        {
            session.tell(message);
        }
    }

    /** A listener of this handle finished its first duty cycle: the messages that launched it are served. */
    void firstCycleDone()
    {
        firstCycle.complete(null);
    }

    private void awaitFirstCycle()
    {
        // On two cores the session's set-up (JDK socket and SecureRandom initialisation) competes with serving the
        // first messages; let those go first, but not for long if nobody checks in.
        try
        {
            firstCycle.get(FIRST_CYCLE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // Open the session anyway.
        }
    }

    private static boolean isLaunchedService()
    {
        return null != System.getenv(RingportEnvironment.SERVICE) &&
            null != System.getenv(RingportEnvironment.CHECKIN_TOKEN);
    }

    private static void startThread(final String name, final Runnable task)
    {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    void route(final long connectionId, final Connection connection)
    {
        final ControlMessage early;
        synchronized (routes)
        {
            routes.put(connectionId, connection);
            early = earlyEvents.remove(connectionId);
        }
        if (null != early)
        {
            connection.onDaemonEvent(early);
        }
    }

    void unroute(final long connectionId)
    {
        routes.remove(connectionId);
    }

    void forget(final Connection connection)
    {
        connections.remove(connection);
        if (null != receiverThread)
        {
            execute(() -> receiver.remove(connection));
        }
    }

    synchronized void receiverAdd(final Connection connection)
    {
        ensureOpen();
        if (null == receiverRunner)
        {
            receiverIdle = ctx.pollingIdleStrategy(receiver);
            receiverRunner = new AgentRunner(receiverIdle, Throwable::printStackTrace, null, receiver);
            receiverThread = AgentRunner.startOnThread(receiverRunner, runnable ->
            {
                final Thread thread = new Thread(runnable);
                thread.setDaemon(true);
                return thread;
            });
        }
        execute(() -> receiver.add(connection));
    }

    /** Run a command on the receiver thread, waking it if it sleeps on its doorbells. */
    void execute(final Runnable command)
    {
        receiver.execute(command);
        wakeReceiver();
    }

    /** Wake the receiver thread if it sleeps on its doorbells, to see queued commands or events. */
    void wakeReceiver()
    {
        if (receiverIdle instanceof DoorbellIdleStrategy doorbell)
        {
            doorbell.wake();
        }
    }

    boolean onReceiverThread()
    {
        return Thread.currentThread() == receiverThread;
    }

    /** A resumed connection is the receiver's to poll while the receiver runs; after that, the closing thread's. */
    boolean mayPollResumed()
    {
        final Thread receiver = receiverThread;
        return null == receiver || Thread.currentThread() == receiver;
    }

    private void onDaemonEvent(final ControlMessage event)
    {
        final long connectionId;
        if (event instanceof ControlMessage.Interrupted interrupted)
        {
            connectionId = interrupted.connectionId();
        }
        else if (event instanceof ControlMessage.Invalidated invalidated)
        {
            connectionId = invalidated.connectionId();
        }
        else
        {
            return;
        }
        final Connection connection;
        synchronized (routes)
        {
            connection = routes.get(connectionId);
            if (null == connection)
            {
                // The answer to CONNECT and this event can overtake the connecting thread: keep it for route().
                if (earlyEvents.size() >= MAX_EARLY_EVENTS)
                {
                    earlyEvents.remove(earlyEvents.keySet().iterator().next());
                }
                earlyEvents.put(connectionId, event);
                return;
            }
        }
        connection.onDaemonEvent(event);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new RingportException(ErrorCode.CLOSED, "this Ringport handle is closed");
        }
    }

    /**
     * Configuration of a {@link Ringport} handle: set what differs from the defaults; {@link #conclude()} fills the
     * rest.
     */
    public static final class Context
    {
        /** Default of {@link #batchWindow(Duration)}. */
        public static final long DEFAULT_BATCH_WINDOW_NS = 1_000;

        private Path home;
        private Duration controlTimeout = Duration.ofSeconds(10);
        private Duration sendTimeout = Duration.ofSeconds(10);
        private long sendTimeoutNs = sendTimeout.toNanos();
        private Duration batchWindow = Duration.ofNanos(DEFAULT_BATCH_WINDOW_NS);
        private WaitStrategy waitStrategy = WaitStrategy.BACKOFF;
        private long maxSleepNs = DoorbellIdleStrategy.MAX_SLEEP_NS;
        private Supplier<IdleStrategy> idleStrategy;

        /**
         * The daemon's home.
         *
         * @param home directory; default {@link RingportEnvironment#home()}.
         * @return this.
         */
        public Context home(final Path home)
        {
            this.home = home;
            return this;
        }

        /**
         * The home in use.
         *
         * @return the daemon's home.
         */
        public Path home()
        {
            return home;
        }

        /**
         * How long to wait for the daemon to answer a request.
         *
         * @param timeout default 10 s.
         * @return this.
         */
        public Context controlTimeout(final Duration timeout)
        {
            this.controlTimeout = timeout;
            return this;
        }

        /**
         * How long to wait for the daemon to answer a request.
         *
         * @return the timeout.
         */
        public Duration controlTimeout()
        {
            return controlTimeout;
        }

        /**
         * How long {@code send} waits for ring space before it throws.
         *
         * @param timeout default 10 s.
         * @return this.
         */
        public Context sendTimeout(final Duration timeout)
        {
            this.sendTimeout = timeout;
            this.sendTimeoutNs = timeout.toNanos();
            return this;
        }

        long sendTimeoutNs()
        {
            return sendTimeoutNs;
        }

        /**
         * Pause of a connection's reader after a delivery of a dense stream, so that messages sent back to back are
         * read in batches instead of one by one (the reader then stays off the cache lines the writer is filling).
         * A reader pauses only when it sent nothing since its previous delivery, which came less than this window
         * before, and a send of its own ends the pause: request/response traffic is never held back, and the next
         * message of a burst waits at most this long.
         *
         * @param window default 1 µs; zero reads every message as soon as it is there.
         * @return this.
         */
        public Context batchWindow(final Duration window)
        {
            if (window.isNegative())
            {
                throw new IllegalArgumentException("batch window " + window + " is negative");
            }
            this.batchWindow = window;
            return this;
        }

        /**
         * The longest pause of a connection's reader between batches.
         *
         * @return the window.
         */
        public Duration batchWindow()
        {
            return batchWindow;
        }

        /**
         * How polling threads (the receiver, a listener) wait when their rings are empty.
         *
         * @param waitStrategy default {@link WaitStrategy#BACKOFF}.
         * @return this.
         */
        public Context waitStrategy(final WaitStrategy waitStrategy)
        {
            this.waitStrategy = waitStrategy;
            return this;
        }

        /**
         * The wait strategy of polling threads.
         *
         * @return the strategy.
         */
        public WaitStrategy waitStrategy()
        {
            return waitStrategy;
        }

        /**
         * Under {@link WaitStrategy#BLOCKING}, the longest a polling thread (the receiver, a listener) sleeps on its
         * doorbells at a time. Producers, the library's own findings and a {@link Listener#close()} from another
         * thread wake it; the bound is a backstop for anything that does not.
         *
         * @param maxSleep default 100 ms.
         * @return this.
         */
        public Context maxSleep(final Duration maxSleep)
        {
            if (maxSleep.isNegative() || maxSleep.isZero())
            {
                throw new IllegalArgumentException("max sleep " + maxSleep + " is not positive");
            }
            this.maxSleepNs = maxSleep.toNanos();
            return this;
        }

        /**
         * The longest sleep of a polling thread under {@link WaitStrategy#BLOCKING}.
         *
         * @return the bound.
         */
        public Duration maxSleep()
        {
            return Duration.ofNanos(maxSleepNs);
        }

        /**
         * A custom Agrona idle strategy for polling threads, in place of the {@link #waitStrategy(WaitStrategy)}.
         *
         * @param idleStrategy supplier of a fresh strategy per thread, or null for the wait strategy's.
         * @return this.
         */
        public Context idleStrategy(final Supplier<IdleStrategy> idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /** The strategy for a thread that polls the given rings. */
        IdleStrategy pollingIdleStrategy(final DoorbellIdleStrategy.Rings rings)
        {
            return pollingIdleStrategy(rings, maxSleepNs);
        }

        /** The same, sleeping at most {@code maxSleepNs} at a time: a caller waiting on a deadline needs a short one. */
        IdleStrategy pollingIdleStrategy(final DoorbellIdleStrategy.Rings rings, final long maxSleepNs)
        {
            if (null != idleStrategy)
            {
                return idleStrategy.get();
            }
            return switch (waitStrategy)
            {
                case BUSY_SPIN -> new BusySpinIdleStrategy();
                case YIELD -> new YieldingIdleStrategy();
                case BACKOFF -> backoff();
                case BLOCKING -> new DoorbellIdleStrategy(rings, maxSleepNs);
            };
        }

        /** The strategy for a sender waiting for ring space: never a doorbell, nobody rings for space. */
        IdleStrategy sendIdleStrategy()
        {
            return WaitStrategy.BUSY_SPIN == waitStrategy ? new BusySpinIdleStrategy() : backoff();
        }

        private static IdleStrategy backoff()
        {
            return new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        }

        /**
         * Fill in defaults.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (null == home)
            {
                home = RingportEnvironment.home();
            }
            return this;
        }
    }
}
