package io.ringport.jmh;

import io.ringport.daemon.definition.ServiceDefinition;

/**
 * Buffer sizes shared by every transport, so that none gets a larger ring than the others.
 */
public final class Sizing
{
    /**
     * Ring capacity for messages up to {@link #SMALL_MESSAGE_LIMIT}: Ringport's default connection ring (16 MiB since
     * run 18, 1 MiB before), or {@code -Dringport.jmh.smallRing=<bytes>} (a power of two, whole MiB) in the forked
     * JVM to compare the rings at another size, e.g. 1048576, the default before, or 67108864, Aeron's default term.
     */
    public static final int SMALL_RING =
        Integer.getInteger("ringport.jmh.smallRing", ServiceDefinition.DEFAULT_CONNECTION_CAPACITY);
    /** Ring capacity for larger messages: an Agrona-format ring takes records up to capacity / 8. */
    public static final int LARGE_RING = 16 * 1024 * 1024;
    /** Largest message that uses {@link #SMALL_RING}. */
    public static final int SMALL_MESSAGE_LIMIT = 64 * 1024;

    private Sizing()
    {
    }

    /**
     * The ring (or Aeron term) capacity for messages of a size.
     *
     * @param size of each message in bytes.
     * @return capacity in bytes, a power of two.
     */
    public static int ringCapacity(final int size)
    {
        return size <= SMALL_MESSAGE_LIMIT ? SMALL_RING : LARGE_RING;
    }

    /**
     * The message length the benchmark writes: at least 8 bytes, for the sequence number.
     *
     * @param size requested size.
     * @return size, or 8 when smaller.
     */
    public static int payloadLength(final int size)
    {
        return Math.max(8, size);
    }
}
