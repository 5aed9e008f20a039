package io.ringport.jmh;

import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A private directory in {@code /dev/shm} for one benchmark's files, removed on {@link #close()} and, should the
 * benchmark JVM end without it, by a shutdown hook.
 */
public final class Scratch implements AutoCloseable
{
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Scratch::deleteTree), "scratch-cleanup"));
    }

    private final Path dir;

    private Scratch(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Create a fresh directory.
     *
     * @param prefix of the directory name, after {@code ringport-jmh-}.
     * @return the scratch directory.
     */
    public static Scratch create(final String prefix)
    {
        final Path shm = Path.of("/dev/shm");
        try
        {
            final Path dir = Files.createTempDirectory(
                Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "ringport-jmh-" + prefix);
            LIVE.add(dir);
            return new Scratch(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a scratch directory in " + shm, ex);
        }
    }

    /**
     * The directory.
     *
     * @return its path.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * A path inside the directory.
     *
     * @param name of the file.
     * @return the path.
     */
    public Path resolve(final String name)
    {
        return dir.resolve(name);
    }

    /** Remove the directory and everything in it. */
    public void close()
    {
        deleteTree(dir);
        LIVE.remove(dir);
    }

    /**
     * Remove a directory tree, ignoring what is already gone.
     *
     * @param root of the tree.
     */
    public static void deleteTree(final Path root)
    {
        // A file another process removes while we walk is no failure: what is left is reported, once.
        IoUtil.delete(root.toFile(), (ex) -> System.err.println("ringport-jmh: could not remove " + root + ": " + ex));
    }
}
