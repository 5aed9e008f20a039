package io.ringport.core.wait;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The doorbell's system calls, through each way of making them: Ringport's JNI library and JNA.
 */
class FutexTest
{
    private static final long EFAULT = 14;
    private static final long EAGAIN = 11;
    private static final long ETIMEDOUT = 110;

    private final UnsafeBuffer words = new UnsafeBuffer(ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder()));

    @Test
    void usesTheJniLibraryWhereTheBuildMadeOne()
    {
        assumeTrue(null != NativeSyscall.class.getResource(NativeSyscall.resource()),
            "the build made no JNI library for " + NativeSyscall.resource() + " (no C compiler)");
        assertEquals("jni", Futex.implementation());
    }

    @Test
    void copiesOfTheLibraryThatGoneProcessesLeftAreSweptAndOnlyThose(@TempDir final Path dir) throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        final Path left = Files.setLastModifiedTime(Files.createFile(dir.resolve("ringport-" + gone.pid() + "-1a.so")),
            longAgo);
        final Path young = Files.createFile(dir.resolve("ringport-" + gone.pid() + "-2b.so"));
        final Path ours = Files.setLastModifiedTime(
            Files.createFile(dir.resolve("ringport-" + ProcessHandle.current().pid() + "-3c.so")), longAgo);
        final Path other = Files.setLastModifiedTime(Files.createFile(dir.resolve("ringport-notes.so")), longAgo);

        NativeSyscall.sweep(dir);

        assertFalse(Files.exists(left), "a gone process's copy");
        assertTrue(Files.exists(young), "a copy just made, maybe by a process in another pid namespace");
        assertTrue(Files.exists(ours), "a live process's copy, which it deletes itself");
        assertTrue(Files.exists(other), "not a copy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jni", "jna"})
    void wakeWakesASleeper(final String implementation) throws Exception
    {
        final Futex.Syscall syscall = load(implementation);
        words.putIntVolatile(0, 1);
        final Futex.WaitList list = new Futex.WaitList();
        list.add(words.addressOffset() + 4, 0); // a word nobody rings, then the one the test rings
        list.add(words.addressOffset(), 1);
        final CompletableFuture<Long> woken =
            CompletableFuture.supplyAsync(() -> Futex.waitAny(syscall, list, TimeUnit.SECONDS.toNanos(30)));

        // FUTEX_WAKE says how many it woke: 0 until the sleeper is in the kernel's queue.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long wokenCount = 0;
        while (0 == wokenCount && System.nanoTime() - deadline < 0)
        {
            wokenCount = Futex.wake(syscall, words.addressOffset());
            Thread.yield();
        }

        assertEquals(1, wokenCount, "the sleeper never went to sleep");
        assertEquals(1, woken.get(20, TimeUnit.SECONDS), "futex_waitv returns the index of the word woken");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jni", "jna"})
    void errorsComeBackAsNumbers(final String implementation)
    {
        final Futex.Syscall syscall = load(implementation);
        final Futex.WaitList list = new Futex.WaitList();
        words.putIntVolatile(0, 7);
        list.add(words.addressOffset(), 0);
        assertEquals(-EAGAIN, Futex.waitAny(syscall, list, TimeUnit.SECONDS.toNanos(30)), "the word changed");

        list.clear();
        list.add(words.addressOffset(), 7);
        assertEquals(-ETIMEDOUT, Futex.waitAny(syscall, list, TimeUnit.MILLISECONDS.toNanos(1)));

        assertEquals(0, Futex.wake(syscall, words.addressOffset()), "nobody sleeps on the word");
        assertEquals(-EFAULT, Futex.wake(syscall, 0), "no word at address 0");
    }

    private static Futex.Syscall load(final String implementation)
    {
        if ("jni".equals(implementation))
        {
            assumeTrue(null != NativeSyscall.class.getResource(NativeSyscall.resource()), "no JNI library built");
        }
        final Futex.Syscall syscall = Futex.Syscall.load(implementation);
        assertNotNull(syscall, implementation + " did not load");
        assertEquals(implementation, syscall.name());
        return syscall;
    }
}
