package io.ringport.jmh;

/**
 * What the partner process does with each message.
 */
public enum Role
{
    /** Send every message straight back: round-trip latency. */
    ECHO,
    /** Read and drop every message: one-way throughput. */
    SINK;

    /**
     * The role named on a partner's command line.
     *
     * @param name {@code echo} or {@code sink}.
     * @return the role.
     */
    public static Role of(final String name)
    {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * The name for command lines and service names.
     *
     * @return lower-case name.
     */
    public String id()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
