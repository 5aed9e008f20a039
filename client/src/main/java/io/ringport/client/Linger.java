package io.ringport.client;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Unmaps the tx ring of a closed end a while after the close, on a thread of its own, instead of at once: a send on
 * another thread that was already past its checks when the close came (against the single-writer rule, but a worker
 * replying while its client leaves is easy to write) then finishes in mapped memory, and its next call fails with
 * {@code CLOSED}, instead of the JVM crashing on a write to unmapped memory. Aeron's client lingers its log buffers
 * for the same reason. The thread ends when nothing lingers.
 */
final class Linger
{
    /** How long a closed end's tx ring stays mapped: far longer than a send takes once past its checks. */
    static final long LINGER_MS = 1_000;

    private static final ScheduledThreadPoolExecutor UNMAPPER = unmapper();

    private Linger()
    {
    }

    /**
     * Unmap an end's tx ring after {@link #LINGER_MS}.
     *
     * @param endpoint whose tx ring nothing should write any more.
     */
    static void unmapTx(final Endpoint endpoint)
    {
        UNMAPPER.schedule(endpoint::unmapTx, LINGER_MS, TimeUnit.MILLISECONDS);
    }

    private static ScheduledThreadPoolExecutor unmapper()
    {
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task ->
        {
            final Thread thread = new Thread(task, "ringport-linger");
            thread.setDaemon(true);
            return thread;
        });
        executor.setKeepAliveTime(5, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
