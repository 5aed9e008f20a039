package io.ringport.core.wait;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Linux futexes on 32-bit words in shared mappings, through {@code syscall(2)}: a sleeper waits on one or many words
 * ({@code futex_waitv}, Linux 5.16+), a producer wakes it. Used as the doorbell of the blocking wait strategy.
 * <p>
 * The futexes are not private: the words live in files mapped by two processes.
 */
public final class Futex
{
    private static final long SYS_FUTEX = 202;
    private static final long SYS_FUTEX_WAITV = 449;
    private static final long FUTEX_WAKE = 1;
    private static final int FUTEX2_SIZE_U32 = 0x02;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int ENOSYS = 38;

    /** Longest list {@code futex_waitv} accepts. */
    public static final int MAX_WAITERS = 128;

    private static final int WAITV_ENTRY_LENGTH = 24;
    private static final boolean AVAILABLE;
    private static final boolean WAITV_AVAILABLE;

    static
    {
        boolean available = false;
        boolean waitv = false;
        try
        {
            Native.register(Futex.class, NativeLibrary.getInstance("c"));
            available = true;
            try
            {
                // An empty list is refused with EINVAL by a kernel that has the call, ENOSYS by one that has not.
                syscall(SYS_FUTEX_WAITV, 0, 0, 0, 0, CLOCK_MONOTONIC);
            }
            catch (final LastErrorException ex)
            {
                waitv = ENOSYS != ex.getErrorCode();
            }
        }
        catch (final Throwable ex)
        {
            // No JNA or no libc here: the blocking wait strategy then parks for short times instead.
        }
        AVAILABLE = available;
        WAITV_AVAILABLE = waitv;
    }

    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5)
        throws LastErrorException;

    /** The list of words a sleeper waits on, in native memory it reuses. */
    public static final class WaitList
    {
        private final UnsafeBuffer entries = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_WAITERS * WAITV_ENTRY_LENGTH).order(ByteOrder.nativeOrder()));
        private final UnsafeBuffer timeout = new UnsafeBuffer(
            ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()));
        private int size;

        /** Empty the list. */
        public void clear()
        {
            size = 0;
        }

        /**
         * Add a word to wait on.
         *
         * @param address  of the 32-bit word.
         * @param expected value the word must still hold for the wait to sleep.
         * @return false when the list is full.
         */
        public boolean add(final long address, final int expected)
        {
            if (size == MAX_WAITERS)
            {
                return false;
            }
            final int offset = size * WAITV_ENTRY_LENGTH;
            entries.putLong(offset, expected & 0xFFFF_FFFFL);
            entries.putLong(offset + 8, address);
            entries.putInt(offset + 16, FUTEX2_SIZE_U32);
            entries.putInt(offset + 20, 0);
            size++;
            return true;
        }

        /**
         * How many words are on the list.
         *
         * @return the count.
         */
        public int size()
        {
            return size;
        }
    }

    private Futex()
    {
    }

    /**
     * Can this process sleep on several futexes at once?
     *
     * @return true when JNA loaded and the kernel has {@code futex_waitv}.
     */
    public static boolean isAvailable()
    {
        return WAITV_AVAILABLE;
    }

    /**
     * Sleep until a word on the list is woken, a word no longer holds its expected value, or the timeout passes.
     *
     * @param list      the words.
     * @param timeoutNs longest sleep.
     */
    public static void waitAny(final WaitList list, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs; // CLOCK_MONOTONIC, as futex_waitv wants it
        list.timeout.putLong(0, deadline / 1_000_000_000L);
        list.timeout.putLong(8, deadline % 1_000_000_000L);
        try
        {
            syscall(SYS_FUTEX_WAITV, list.entries.addressOffset(), list.size, 0, list.timeout.addressOffset(),
                CLOCK_MONOTONIC);
        }
        catch (final LastErrorException ex)
        {
            // EAGAIN (a word changed), ETIMEDOUT, EINTR: all mean "look again".
        }
    }

    /**
     * Wake every sleeper on a word.
     *
     * @param address of the 32-bit word.
     */
    public static void wake(final long address)
    {
        if (AVAILABLE)
        {
            try
            {
                syscall(SYS_FUTEX, address, FUTEX_WAKE, Integer.MAX_VALUE, 0, 0);
            }
            catch (final LastErrorException ex)
            {
                // EFAULT can only mean the word is no longer mapped: nobody sleeps on it then.
            }
        }
    }
}
