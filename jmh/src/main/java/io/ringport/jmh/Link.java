package io.ringport.jmh;

/**
 * The benchmark's end of a transport to a partner in another process. Not thread-safe: one benchmark thread.
 */
public interface Link extends AutoCloseable
{
    /**
     * Send one message of the link's size to an echo partner and wait for it to come back.
     *
     * @return the sequence number the echo carried (so the result is consumed).
     * @throws IllegalStateException when the partner stalls for {@link Stall#TIMEOUT_NS}.
     */
    long roundTrip();

    /**
     * Send one message of the link's size to a sink partner, waiting while the transport is back-pressured.
     */
    void send();

    /** Stop the partner and remove every file of the link. */
    void close();
}
