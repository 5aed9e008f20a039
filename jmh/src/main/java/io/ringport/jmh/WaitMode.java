package io.ringport.jmh;

import io.ringport.client.Ringport;
import io.ringport.client.WaitStrategy;

import java.util.Locale;

/**
 * How both ends of a Ringport benchmark wait for work: the library's {@link WaitStrategy} for its threads (the
 * client's receiver, the service's listener, senders waiting for space, and through
 * {@link io.ringport.client.Connection#idleStrategy()} the benchmark's own polling loop in invoker mode). Benchmarks
 * take it as a {@code @Param}.
 */
public enum WaitMode
{
    /** Spin without pause: lowest latency, one core per waiting thread. */
    BUSY(WaitStrategy.BUSY_SPIN),
    /** Spin, yielding the core between polls. */
    YIELD(WaitStrategy.YIELD),
    /** The library's default: spin, yield, then park for up to 1 ms. */
    BACKOFF(WaitStrategy.BACKOFF),
    /** Spin briefly, then sleep on the rings' doorbells until a producer rings. */
    BLOCKING(WaitStrategy.BLOCKING);

    private final WaitStrategy strategy;

    WaitMode(final WaitStrategy strategy)
    {
        this.strategy = strategy;
    }

    /**
     * The mode named in a {@code @Param} or on a command line.
     *
     * @param name e.g. {@code busy}.
     * @return the mode.
     */
    public static WaitMode of(final String name)
    {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * The name for command lines and service names.
     *
     * @return lower-case name.
     */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Configure a Ringport context to wait this way.
     *
     * @param ctx to configure.
     * @return the same context.
     */
    public Ringport.Context apply(final Ringport.Context ctx)
    {
        return ctx.waitStrategy(strategy);
    }
}
