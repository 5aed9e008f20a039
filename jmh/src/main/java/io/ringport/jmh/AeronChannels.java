package io.ringport.jmh;

/**
 * The Aeron IPC channel and streams both ends use.
 */
public final class AeronChannels
{
    /** Stream from the benchmark to the partner. */
    public static final int C2S_STREAM = 1001;
    /** Stream from the partner to the benchmark. */
    public static final int S2C_STREAM = 1002;

    private AeronChannels()
    {
    }

    /**
     * The IPC channel for messages of a size: Aeron's defaults (a 64 MiB IPC term, so a 32 MiB publication window),
     * as a user would have them. A term as small as the other transports' rings (1 MiB) cuts Aeron's one-way
     * throughput severalfold on two vCPUs, because the window the driver's conductor grants is then small.
     *
     * @param size of each message (every size up to 8 MiB fits the default term).
     * @return the channel URI.
     */
    public static String ipc(final int size)
    {
        return "aeron:ipc";
    }
}
