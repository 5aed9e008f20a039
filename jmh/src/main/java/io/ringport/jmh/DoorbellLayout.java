package io.ringport.jmh;

import org.agrona.BitUtil;

/**
 * The futex doorbell pair's file: the ping word and the pong word, each alone on its pair of cache lines, as a
 * ring's waiter word is.
 */
public final class DoorbellLayout
{
    /** The word the benchmark bumps and wakes. */
    public static final int PING_OFFSET = 0;
    /** The word the partner bumps and wakes in answer. */
    public static final int PONG_OFFSET = BitUtil.CACHE_LINE_LENGTH * 2;
    /** Length of the file. */
    public static final int FILE_LENGTH = 4096;
    /** How long one sleep lasts before the sleeper looks again (at its own state, or whether to stop). */
    public static final long MAX_SLEEP_NS = 100_000_000L;

    private DoorbellLayout()
    {
    }
}
