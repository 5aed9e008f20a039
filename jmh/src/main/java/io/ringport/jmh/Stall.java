package io.ringport.jmh;

import org.agrona.concurrent.IdleStrategy;

/**
 * Guards a spin loop against a dead partner: counts idle spins and, every 256 of them, checks the clock, so the hot
 * path pays one increment. Reset before each wait.
 */
public final class Stall
{
    /** How long a wait may make no progress before the benchmark gives up. */
    public static final long TIMEOUT_NS = 10_000_000_000L;

    private final String what;
    private long spins;
    private long firstCheckNs;

    /**
     * A guard for one kind of wait.
     *
     * @param what names the wait in the error, e.g. {@code "echo from the aeron partner"}.
     */
    public Stall(final String what)
    {
        this.what = what;
    }

    /** Start a new wait. */
    public void reset()
    {
        spins = 0;
    }

    /** One idle spin. */
    public void spin()
    {
        if ((++spins & 0xFF) == 0)
        {
            check();
        }
        Thread.onSpinWait();
    }

    /**
     * One idle round through a strategy.
     *
     * @param idle the strategy to idle with.
     */
    public void idle(final IdleStrategy idle)
    {
        if ((++spins & 0xFF) == 0)
        {
            check();
        }
        idle.idle();
    }

    private void check()
    {
        final long now = System.nanoTime();
        if (0x100 == spins)
        {
            firstCheckNs = now;
        }
        else if (now - firstCheckNs > TIMEOUT_NS)
        {
            throw new IllegalStateException("no " + what + " for " + TIMEOUT_NS / 1_000_000_000L +
                " s: is the partner alive?");
        }
    }
}
