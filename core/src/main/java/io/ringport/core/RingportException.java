package io.ringport.core;

/**
 * Base of the errors Ringport raises; each carries an {@link ErrorCode} so callers and the command line can act on it.
 */
public class RingportException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * An error with a code and a message that says what failed and for which name or file.
     *
     * @param code    what kind of failure.
     * @param message what failed, where, and what to do.
     */
    public RingportException(final ErrorCode code, final String message)
    {
        super(message);
        this.code = code;
    }

    /**
     * An error with a code, a message and its cause.
     *
     * @param code    what kind of failure.
     * @param message what failed, where, and what to do.
     * @param cause   the underlying failure.
     */
    public RingportException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    /**
     * What kind of failure this is.
     *
     * @return the error code.
     */
    public ErrorCode code()
    {
        return code;
    }
}
