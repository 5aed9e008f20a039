package io.ringport.core.wait;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code syscall(2)} through Ringport's own JNI library ({@code core/src/main/c}, built with the jar when the build
 * machine has a C compiler, and packed in it as {@code linux-<arch>/libringport.so} beside this class).
 */
final class NativeSyscall
{
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
     * (the mapping stays), so nothing is left behind.
     *
     * @return false when there is none for this machine or it does not load.
     */
    static boolean load()
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
            // Not Files.createTempFile: its random names start a SecureRandom, which took 50 ms in a new JVM.
            final Path file = Path.of(System.getProperty("java.io.tmpdir"),
                "ringport-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".so");
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
     * Where the library for this machine is packed, relative to this class.
     *
     * @return the resource name.
     */
    static String resource()
    {
        return "linux-" + System.getProperty("os.arch") + "/libringport.so";
    }
}
