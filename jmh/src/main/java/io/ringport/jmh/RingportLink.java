package io.ringport.jmh;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Ringport connection to a benchmark service, used in one of three {@link Style}s.
 */
final class RingportLink implements Link, EventHandler
{
    /** How the benchmark thread talks to the service. */
    enum Style
    {
        /**
         * Invoker mode, one-way messages: the benchmark thread sends and polls for the echo, idling with the
         * connection's {@link Connection#idleStrategy()} (under blocking, asleep on its doorbell); nothing is
         * allocated.
         */
        POLL,
        /** Invoker mode, {@link Connection#requestSync}: the calling thread polls; a future and a copy per reply. */
        REQUEST,
        /**
         * Managed mode ({@link Connection#resume()}), {@link Connection#requestSync}: the library's receiver thread
         * waits with the wait strategy (the only way to sleep on doorbells) and completes the caller's future.
         */
        MANAGED_REQUEST
    }

    /** How long the first round trip may take: it launches the service. */
    static final long LAUNCH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private static final Duration REQUEST_TIMEOUT = Duration.ofNanos(Stall.TIMEOUT_NS);

    private final RingportBus ownedBus;
    private final Ringport ownedRingport;
    private final Connection connection;
    private final UnsafeBuffer payload;
    private final int size;
    private final Style style;
    private final IdleStrategy idle;
    private final Stall stall = new Stall("echo from the ringport service");
    private long sequence;
    private long echoed;
    private String failure;

    /**
     * A link over a bus and handle of its own, which it closes.
     */
    RingportLink(final Role role, final int size, final WaitMode wait, final Style style)
    {
        this(RingportBus.start(), null, role, size, wait, style);
    }

    /**
     * @param bus      the bus; closed by this link when {@code ringport} is null.
     * @param ringport the caller's handle on the bus, or null to open (and later close) one with the bus.
     */
    private RingportLink(
        final RingportBus bus,
        final Ringport ringport,
        final Role role,
        final int size,
        final WaitMode wait,
        final Style style)
    {
        this.ownedBus = null == ringport ? bus : null;
        this.size = Sizing.payloadLength(size);
        this.style = style;
        this.payload = new UnsafeBuffer(new byte[this.size]);
        Ringport opened = null;
        Connection connection = null;
        try
        {
            opened = null == ringport ? bus.open(wait) : null;
            this.ownedRingport = opened;
            connection = (null == ringport ? opened : ringport)
                .connect(RingportBus.service(role, wait, Sizing.ringCapacity(this.size)));
            this.connection = connection;
            this.idle = connection.idleStrategy();
            connection.setEventHandler(this);
            if (Style.MANAGED_REQUEST == style)
            {
                connection.resume();
            }
            if (Role.ECHO == role && roundTrip(LAUNCH_TIMEOUT_NS) < 0)
            {
                throw new IllegalStateException("the ringport service did not echo within 60 s; daemon log:\n" +
                    bus.log());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(connection, opened);
            if (null != ownedBus)
            {
                ownedBus.close();
            }
            throw ex;
        }
    }

    /**
     * A link through a handle that the caller opened on a bus it runs; closing the link closes only its connection.
     *
     * @param bus      the running bus.
     * @param ringport a handle on it.
     * @param role     of the service.
     * @param size     of each message.
     * @param wait     of the service and of this link's polling.
     * @return the link, after one round trip (echo role), which launched the service if it was not running.
     */
    static RingportLink on(
        final RingportBus bus, final Ringport ringport, final Role role, final int size, final WaitMode wait)
    {
        return new RingportLink(bus, ringport, role, size, wait, Style.POLL);
    }

    public long roundTrip()
    {
        if (Style.POLL != style)
        {
            final Message reply = connection.requestSync(payload, 0, size, REQUEST_TIMEOUT);
            return reply.buffer().getLong(reply.offset());
        }
        final long sequence = ++this.sequence;
        payload.putLong(0, sequence);
        connection.send(payload, 0, size);
        final IdleStrategy idle = this.idle;
        idle.reset();
        stall.reset();
        while (echoed != sequence)
        {
            if (0 == connection.poll(16))
            {
                if (null != failure)
                {
                    throw new IllegalStateException(failure);
                }
                stall.idle(idle);
            }
        }
        return sequence;
    }

    /**
     * One round trip with an explicit deadline, for the first message to a service that may still be launching.
     *
     * @param timeoutNs how long to wait for the echo.
     * @return nanoseconds it took, or -1 when no echo came in time.
     */
    long roundTrip(final long timeoutNs)
    {
        if (Style.POLL != style)
        {
            final long start = System.nanoTime();
            connection.requestSync(payload, 0, size, Duration.ofNanos(timeoutNs));
            return System.nanoTime() - start;
        }
        final long sequence = ++this.sequence;
        payload.putLong(0, sequence);
        final long start = System.nanoTime();
        connection.send(payload, 0, size);
        idle.reset();
        while (echoed != sequence)
        {
            if (0 == connection.poll(16))
            {
                if (null != failure)
                {
                    throw new IllegalStateException(failure);
                }
                if (System.nanoTime() - start > timeoutNs)
                {
                    return -1;
                }
                // The wait mode's strategy, as in roundTrip(): a launch takes long, and a spinning caller would take
                // one of the two cores the new service JVM starts on.
                idle.idle();
            }
        }
        return System.nanoTime() - start;
    }

    public void send()
    {
        payload.putLong(0, ++sequence);
        connection.send(payload, 0, size);
    }

    public void onMessage(final Message message)
    {
        echoed = message.buffer().getLong(message.offset());
    }

    public void onEvent(final ConnectionEvent event, final String reason)
    {
        if (ConnectionEvent.INTERRUPTED == event || ConnectionEvent.INVALIDATED == event)
        {
            failure = "ringport connection " + event + ": " + reason;
        }
    }

    public void close()
    {
        try
        {
            CloseHelper.quietCloseAll(connection, ownedRingport);
        }
        finally
        {
            if (null != ownedBus)
            {
                ownedBus.close();
            }
        }
    }
}
