package io.ringport.core;

/**
 * Kinds of failure, shared by the control protocol, the client API and the command line's exit codes.
 */
public enum ErrorCode
{
    /** A request was malformed or not allowed in the session's state. */
    BAD_REQUEST(1, 2),
    /** The daemon cannot be reached at its socket. */
    DAEMON_UNREACHABLE(2, 3),
    /** No service of that name is registered. */
    UNKNOWN_SERVICE(3, 4),
    /** The service could not be started, exited before checking in, or took too long. */
    SERVICE_FAILED(4, 5),
    /** The caller is not on the service's allow-list. */
    DENIED(5, 5),
    /** Check-in refused: wrong token, or the name is already checked in. */
    CHECK_IN_REFUSED(6, 5),
    /** A ring or port is full; try again later. */
    BACK_PRESSURE(7, 5),
    /** Shared memory or a frame from a peer broke the protocol. */
    PROTOCOL_VIOLATION(8, 5),
    /** A message is longer than the connection's limit. */
    MESSAGE_TOO_LONG(9, 2),
    /** The connection or the library was closed. */
    CLOSED(10, 5),
    /** A wait ran past its deadline. */
    TIMED_OUT(11, 5),
    /** The service instance that held the connection died. */
    INTERRUPTED(12, 5),
    /** Anything else that went wrong inside. */
    INTERNAL(13, 1);

    private final int wireCode;
    private final int exitCode;

    ErrorCode(final int wireCode, final int exitCode)
    {
        this.wireCode = wireCode;
        this.exitCode = exitCode;
    }

    /**
     * The value used in control-protocol ERROR frames.
     *
     * @return the code on the wire.
     */
    public int wireCode()
    {
        return wireCode;
    }

    /**
     * The process exit code the command line uses for this failure.
     *
     * @return the exit code.
     */
    public int exitCode()
    {
        return exitCode;
    }

    /**
     * The error code for a value read from the wire.
     *
     * @param wireCode as received.
     * @return the code, or {@link #INTERNAL} for a value this version does not know.
     */
    public static ErrorCode ofWire(final int wireCode)
    {
        for (final ErrorCode code : values())
        {
            if (code.wireCode == wireCode)
            {
                return code;
            }
        }
        return INTERNAL;
    }
}
