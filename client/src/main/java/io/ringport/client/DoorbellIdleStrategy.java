package io.ringport.client;

import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingFileDescriptor;
import io.ringport.core.ring.RingReader;
import io.ringport.core.wait.Futex;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The blocking wait strategy: spin for 20 µs, yield for 80 µs, then sleep on the doorbells of every ring the thread
 * polls until a producer rings one (an eventcount: announce the sleep in each ring's waiter word, look at the rings
 * once more, then block on all the words at once with {@code futex_waitv}). A wait that begins more than 100 µs after
 * the previous one began skips the spin: it follows a sleep or other work, and the peer it waits for may be queued
 * on this very core.
 * <p>
 * Other threads of this process wake the sleeper with {@link #wake()}, which rings a private word that is always
 * on the list. Sleeps are bounded, so commands queued by other threads are seen even without a wake. Producers ring
 * a ring's doorbell only once its consumer has said it uses one ({@link RingFile#useDoorbell()}); for 200 µs after
 * saying so the thread parks instead of blocking, so a producer that had not seen the word yet cannot leave it asleep.
 */
final class DoorbellIdleStrategy implements IdleStrategy
{
    /** Lists the rings the owning thread polls, for the strategy to arm before it sleeps. */
    interface Rings
    {
        void collect(DoorbellIdleStrategy into);
    }

    /**
     * How long an idle thread spins, then yields, before it sleeps. Bounded in time, not in iterations: a count of
     * pause instructions is a different time on every CPU, and 20,000 of them (about 1.8 ms here) kept a waiting
     * caller spinning on the core the kernel had just woken its peer onto, so a round trip from idle took 2.4 ms.
     * Yielding soon hands that core over; an awake peer answers well within the spin.
     */
    private static final long SPIN_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long YIELD_NS = TimeUnit.MICROSECONDS.toNanos(80);
    /**
     * Longest sleep of a polling thread by default ({@link Ringport.Context#maxSleep}): bounds how late it sees
     * commands queued without a wake.
     */
    static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long FALLBACK_PARK_NS = TimeUnit.MICROSECONDS.toNanos(200);
    /**
     * How long after a ring's doorbell was first announced the thread parks instead of blocking on it: a producer
     * that read the doorbell word just before the announcement may still have its last publication in flight.
     * Measured by the clock, not by one park, which an interrupt or an unpark can cut short.
     */
    private static final long ANNOUNCEMENT_GRACE_NS = FALLBACK_PARK_NS;

    private final Rings rings;
    private final long maxSleepNs;
    private final Futex.WaitList waitList = new Futex.WaitList();
    private final RingFile[] armed = new RingFile[Futex.MAX_WAITERS];
    private final RingReader[] readers = new RingReader[Futex.MAX_WAITERS];
    private final UnsafeBuffer localWord = new UnsafeBuffer(ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder()));
    private int armedCount;
    private boolean idling;
    private long idleSince;
    private long lastIdleStartNs = Long.MIN_VALUE / 2;
    private boolean overflow;
    private long announcedAtNs = Long.MIN_VALUE / 2;

    DoorbellIdleStrategy(final Rings rings, final long maxSleepNs)
    {
        this.rings = rings;
        this.maxSleepNs = maxSleepNs;
    }

    /** Called from {@link Rings#collect} for each ring the thread reads. */
    void watch(final RingFile ring, final RingReader reader)
    {
        if (armedCount < armed.length - 1)
        {
            armed[armedCount] = ring;
            readers[armedCount++] = reader;
        }
        else
        {
            overflow = true;
        }
    }

    /** Wake the sleeping thread from another thread of this process. */
    void wake()
    {
        localWord.putIntVolatile(0, 1);
        Futex.wake(localWord.addressOffset());
    }

    /** {@inheritDoc} */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    /** {@inheritDoc} */
    public void idle()
    {
        final long now = System.nanoTime();
        if (!idling)
        {
            idling = true;
            // A wait that begins long after the last one began follows a sleep or other work, not a busy exchange:
            // what this thread just sent has likely woken its peer, and the kernel mostly runs a woken thread on its
            // waker's core, where it waits while the waker spins (two cores here). So yield at once, spin not.
            final boolean afterAPause = now - lastIdleStartNs > SPIN_NS + YIELD_NS;
            lastIdleStartNs = now;
            idleSince = afterAPause ? now - SPIN_NS : now;
        }
        final long idleNs = now - idleSince;
        if (idleNs < SPIN_NS)
        {
            Thread.onSpinWait();
        }
        else if (idleNs < SPIN_NS + YIELD_NS)
        {
            Thread.yield();
        }
        else
        {
            sleep(now);
        }
    }

    /** {@inheritDoc} */
    public void reset()
    {
        idling = false;
    }

    /** {@inheritDoc} */
    public String alias()
    {
        return "doorbell";
    }

    private void sleep(final long now)
    {
        armedCount = 0;
        overflow = false;
        rings.collect(this);
        for (int i = 0; i < armedCount; i++)
        {
            if (armed[i].useDoorbell())
            {
                announcedAtNs = now;
            }
            armed[i].armWaiter();
        }
        // Dekker with the producers: our waiter words must be visible before we look at the rings one last time.
        VarHandle.fullFence();
        boolean ready = 0 != localWord.getIntVolatile(0);
        for (int i = 0; i < armedCount && !ready; i++)
        {
            // A close writes only the producer-closed word, so it is news too.
            ready = !readers[i].isEmpty() || armed[i].isProducerClosed();
        }
        if (!ready)
        {
            if (Futex.isAvailable() && !overflow && now - announcedAtNs >= ANNOUNCEMENT_GRACE_NS)
            {
                waitList.clear();
                waitList.add(localWord.addressOffset(), 0);
                for (int i = 0; i < armedCount; i++)
                {
                    waitList.add(armed[i].waiterAddress(), RingFileDescriptor.WAITER_SLEEPING);
                }
                Futex.waitAny(waitList, maxSleepNs);
            }
            else
            {
                LockSupport.parkNanos(FALLBACK_PARK_NS);
            }
        }
        for (int i = 0; i < armedCount; i++)
        {
            armed[i].disarmWaiter();
            armed[i] = null;
            readers[i] = null;
        }
        localWord.putIntRelease(0, 0);
        // No reset here: if the wake brought work, idle(work) resets; if it was only the sleep's timeout, the
        // thread goes straight back to sleep instead of spinning again over every ring it polls.
    }
}
