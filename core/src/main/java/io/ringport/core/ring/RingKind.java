package io.ringport.core.ring;

/**
 * What a ring file carries, and so who writes it and who reads it.
 */
public enum RingKind
{
    /** Daemon → service: CONNECT, DISCONNECT and TERMINATION_IMMINENT records for one service name. */
    PORT(1),
    /** Client → service messages of one connection. */
    C2S(2),
    /** Service → client messages of one connection. */
    S2C(3);

    private final int code;

    RingKind(final int code)
    {
        this.code = code;
    }

    /**
     * The value stored in the ring file header.
     *
     * @return the code for this kind.
     */
    public int code()
    {
        return code;
    }

    /**
     * The kind for a code read from a ring file header.
     *
     * @param code as stored in the header.
     * @return the kind, or null when the code is not one of ours.
     */
    public static RingKind ofCode(final int code)
    {
        for (final RingKind kind : values())
        {
            if (kind.code == code)
            {
                return kind;
            }
        }
        return null;
    }
}
