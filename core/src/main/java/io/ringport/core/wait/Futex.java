package io.ringport.core.wait;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * Linux futexes on 32-bit words in shared mappings, through {@code syscall(2)}: a sleeper waits on one or many words
 * ({@code futex_waitv}, Linux 5.16+), a producer wakes it. Used as the doorbell of the blocking wait strategy.
 * <p>
 * The futexes are not private: the words live in files mapped by two processes. The calls go through Ringport's own
 * JNI library when the jar has one for this machine, else through JNA; {@code -Dringport.futex=jni} or {@code jna}
 * picks one (and nothing when it is not there).
 */
public final class Futex
{
    /** futex(2): 202 on x86-64, 98 on arm64 (the generic table); -1 where this class does not know the number. */
    private static final long SYS_FUTEX = switch (System.getProperty("os.arch"))
    {
        case "amd64", "x86_64" -> 202;
        case "aarch64" -> 98;
        default -> -1;
    };
    /** futex_waitv(2): one number on every architecture, as calls added since Linux 5.1 have. */
    private static final long SYS_FUTEX_WAITV = 449;
    private static final long FUTEX_WAKE = 1;
    private static final int FUTEX2_SIZE_U32 = 0x02;
    private static final int CLOCK_MONOTONIC = 1;
    private static final long EINVAL = 22;

    /** Longest list {@code futex_waitv} accepts. */
    public static final int MAX_WAITERS = 128;

    /** The system property that picks how the calls are made: {@code jni} or {@code jna}; unset, the first there. */
    public static final String IMPLEMENTATION_PROPERTY = "ringport.futex";

    private static final int WAITV_ENTRY_LENGTH = 24;
    private static final Syscall SYSCALL = Syscall.load(System.getProperty(IMPLEMENTATION_PROPERTY));
    private static final boolean WAITV_AVAILABLE = hasWaitv(SYSCALL);

    /** One way of making a system call. */
    abstract static class Syscall
    {
        /**
         * Make a system call.
         *
         * @return the call's result, or minus its error number.
         */
        abstract long invoke(long number, long a1, long a2, long a3, long a4, long a5);

        /** What this way is called in {@link #IMPLEMENTATION_PROPERTY}. */
        abstract String name();

        /**
         * The way a choice names, or the first there is when it names none.
         *
         * @param choice {@code jni}, {@code jna} or null.
         * @return the way, or null when the one chosen, or every one, is not there.
         */
        static Syscall load(final String choice)
        {
            if (SYS_FUTEX < 0)
            {
                return null;
            }
            if (!"jna".equals(choice) && NativeSyscall.load())
            {
                try
                {
                    // A library that loaded but does not have the function (a stale build) fails here, not later.
                    final Jni jni = new Jni();
                    hasWaitv(jni);
                    return jni;
                }
                catch (final UnsatisfiedLinkError ex)
                {
                    // Fall back to JNA.
                }
            }
            if (!"jni".equals(choice))
            {
                try
                {
                    return new Jna();
                }
                catch (final Throwable ex)
                {
                    // No JNA or no libc here: the blocking wait strategy then parks for short times instead.
                }
            }
            return null;
        }
    }

    /** Ringport's own JNI library. */
    static final class Jni extends Syscall
    {
        long invoke(final long number, final long a1, final long a2, final long a3, final long a4, final long a5)
        {
            return NativeSyscall.invoke(number, a1, a2, a3, a4, a5);
        }

        String name()
        {
            return "jni";
        }
    }

    /** JNA's direct mapping of libc's {@code syscall}; its errors come as exceptions. */
    static final class Jna extends Syscall
    {
        static
        {
            Native.register(Jna.class, NativeLibrary.getInstance("c"));
        }

        private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5)
            throws LastErrorException;

        long invoke(final long number, final long a1, final long a2, final long a3, final long a4, final long a5)
        {
            try
            {
                return syscall(number, a1, a2, a3, a4, a5);
            }
            catch (final LastErrorException ex)
            {
                return -ex.getErrorCode();
            }
        }

        String name()
        {
            return "jna";
        }
    }

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
     * @return true when a way to make the calls loaded and the kernel has {@code futex_waitv}.
     */
    public static boolean isAvailable()
    {
        return WAITV_AVAILABLE;
    }

    /**
     * How this process makes the calls.
     *
     * @return {@code jni}, {@code jna}, or {@code none} (the blocking wait strategy then parks instead).
     */
    public static String implementation()
    {
        return null == SYSCALL ? "none" : SYSCALL.name();
    }

    /**
     * Sleep until a word on the list is woken, a word no longer holds its expected value, or the timeout passes;
     * without {@link #isAvailable()}, for the timeout.
     *
     * @param list      the words.
     * @param timeoutNs longest sleep.
     */
    public static void waitAny(final WaitList list, final long timeoutNs)
    {
        if (WAITV_AVAILABLE)
        {
            waitAny(SYSCALL, list, timeoutNs);
        }
        else
        {
            LockSupport.parkNanos(timeoutNs);
        }
    }

    /**
     * Wake every sleeper on a word.
     *
     * @param address of the 32-bit word.
     */
    public static void wake(final long address)
    {
        if (null != SYSCALL)
        {
            wake(SYSCALL, address);
        }
    }

    static boolean hasWaitv(final Syscall syscall)
    {
        // An empty list is refused with EINVAL by a kernel that has the call; ENOSYS by one that has not, EPERM or
        // ENOSYS by a seccomp filter that forbids it.
        return null != syscall && -EINVAL == syscall.invoke(SYS_FUTEX_WAITV, 0, 0, 0, 0, CLOCK_MONOTONIC);
    }

    /**
     * {@link #waitAny(WaitList, long)} through one way of making the call.
     *
     * @return what the call returned: the index of the word woken, or minus the error number (EAGAIN: a word
     *         changed; ETIMEDOUT; EINTR), each of which means "look again".
     */
    static long waitAny(final Syscall syscall, final WaitList list, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs; // CLOCK_MONOTONIC, as futex_waitv wants it
        list.timeout.putLong(0, deadline / 1_000_000_000L);
        list.timeout.putLong(8, deadline % 1_000_000_000L);
        return syscall.invoke(SYS_FUTEX_WAITV, list.entries.addressOffset(), list.size, 0,
            list.timeout.addressOffset(), CLOCK_MONOTONIC);
    }

    /**
     * {@link #wake(long)} through one way of making the call.
     *
     * @return how many sleepers were woken, or minus the error number (EFAULT can only mean the word is no longer
     *         mapped: nobody sleeps on it then).
     */
    static long wake(final Syscall syscall, final long address)
    {
        return syscall.invoke(SYS_FUTEX, address, FUTEX_WAKE, Integer.MAX_VALUE, 0, 0);
    }
}
