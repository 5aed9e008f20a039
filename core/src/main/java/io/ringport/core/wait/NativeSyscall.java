package io.ringport.core.wait;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code syscall(2)} through Ringport's own JNI library ({@code core/src/main/c}, built with the jar when the build
 * machine has a C compiler, and packed in it as {@code linux-<arch>/libringport.so} beside this class).
 */
final class NativeSyscall
{
    private static final String PREFIX = "ringport-";
    private static final String SUFFIX = ".so";
    /** A copy's name: the pid of the process that made it, then a number. */
    private static final Pattern COPY_NAME = Pattern.compile("ringport-(\\d{1,18})-[0-9a-f]{1,16}\\.so");
    /**
     * A copy younger than this is never swept, whoever made it: a process in another pid namespace that shares the
     * directory looks gone from here, and its copy may be about to load.
     */
    private static final long SWEEP_MIN_AGE_MS = 10_000;

    /** Whether the library loaded, once it was tried; on this class's monitor. */
    private static Boolean loaded;

    private NativeSyscall()
    {
    }

    /**
     * Make a system call.
     *
     * @param number of the call.
     * @param a1     first argument.
     * @param a2     second argument.
     * @param a3     third argument.
     * @param a4     fourth argument.
     * @param a5     fifth argument.
     * @return the call's result, or minus its error number.
     */
    static native long invoke(long number, long a1, long a2, long a3, long a4, long a5);

    /**
     * Load the library packed for this machine: copied to a temporary file, loaded, and the file deleted at once
     * (the mapping stays). A process killed in between leaves its copy behind: each load first deletes the copies
     * of processes that are gone.
     *
     * @return false when there is none for this machine or it does not load. Asked again, the first answer: the
     *         library is copied and loaded once per process.
     */
    static synchronized boolean load()
    {
        if (null == loaded)
        {
            loaded = copyAndLoad();
        }
        return loaded;
    }

    private static boolean copyAndLoad()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return false;
        }
        try (InputStream library = NativeSyscall.class.getResourceAsStream(resource()))
        {
            if (null == library)
            {
                return false;
            }
            final Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            sweep(dir);
            // Not Files.createTempFile: its random names start a SecureRandom, which took 50 ms in a new JVM.
            final Path file = dir.resolve(PREFIX + ProcessHandle.current().pid() + "-" +
                Long.toHexString(System.nanoTime()) + SUFFIX);
            try
            {
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW))
                {
                    library.transferTo(out);
                }
                System.load(file.toString());
            }
            finally
            {
                Files.deleteIfExists(file);
            }
            return true;
        }
        catch (final IOException | UnsatisfiedLinkError | SecurityException ex)
        {
            return false;
        }
    }

    /**
     * Delete the copies of the library that processes now gone left in a directory (killed between copying and
     * deleting it).
     *
     * @param dir where copies are made.
     */
    static void sweep(final Path dir)
    {
        final long youngest = System.currentTimeMillis() - SWEEP_MIN_AGE_MS;
        try (DirectoryStream<Path> copies = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX))
        {
            for (final Path copy : copies)
            {
                final Matcher name = COPY_NAME.matcher(copy.getFileName().toString());
                try
                {
                    if (name.matches() && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty() &&
                        Files.getLastModifiedTime(copy, LinkOption.NOFOLLOW_LINKS).toMillis() < youngest)
                    {
                        Files.deleteIfExists(copy);
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // Another user's copy, or gone meanwhile: the others are still swept.
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // An unreadable directory: the load goes on without the sweep.
        }
    }

    /**
     * Where the library for this machine is packed, relative to this class.
     *
     * @return the resource name.
     */
    static String resource()
    {
        return "linux-" + System.getProperty("os.arch") + "/libringport.so";
    }
}
