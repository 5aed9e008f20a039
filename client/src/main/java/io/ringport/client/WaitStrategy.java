package io.ringport.client;

/**
 * How a polling thread (the receiver, a listener) waits when its rings are empty.
 */
public enum WaitStrategy
{
    /** Spin on the rings: the lowest latency, one core busy all the time. */
    BUSY_SPIN,
    /** Spin, yielding the core to other threads between polls. */
    YIELD,
    /** Spin, then yield, then park for up to 1 ms: the default, low CPU when idle, sub-ms wake-up. */
    BACKOFF,
    /**
     * Spin briefly, then sleep until a producer rings the doorbell (a futex on a word in the ring's header): near
     * 0 % CPU when idle; producers make a system call only while the consumer sleeps.
     */
    BLOCKING
}
