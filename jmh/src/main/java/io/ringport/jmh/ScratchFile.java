package io.ringport.jmh;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A new file mapped in a {@link Scratch} directory of its own, for a partner process to map as well: the shared
 * memory of the raw ping-pong, the bare Agrona rings and the futex doorbells. {@link #close()} unmaps it and removes
 * the directory.
 */
final class ScratchFile implements AutoCloseable
{
    private final Scratch scratch;
    private final Path path;
    private final MappedByteBuffer mapped;

    /**
     * Create and map the file; nothing is left behind when that fails.
     *
     * @param prefix of the scratch directory's name.
     * @param name   of the file.
     * @param length of the file in bytes.
     */
    ScratchFile(final String prefix, final String name, final long length)
    {
        scratch = Scratch.create(prefix);
        try
        {
            path = scratch.resolve(name);
            mapped = IoUtil.mapNewFile(path.toFile(), length);
        }
        catch (final RuntimeException ex)
        {
            scratch.close();
            throw ex;
        }
    }

    /**
     * Where the file is, for the partner's command line.
     *
     * @return its path.
     */
    Path path()
    {
        return path;
    }

    /**
     * The mapping.
     *
     * @return the mapped buffer.
     */
    MappedByteBuffer mapped()
    {
        return mapped;
    }

    /**
     * The whole mapping as a buffer.
     *
     * @return a new buffer over it.
     */
    UnsafeBuffer buffer()
    {
        return new UnsafeBuffer(mapped);
    }

    /** Unmap the file and remove its directory. */
    public void close()
    {
        IoUtil.unmap(mapped);
        scratch.close();
    }
}
