package io.ringport.cli;

/**
 * The command line was not understood; the CLI prints the message and exits with status 2.
 */
final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    UsageException(final String message)
    {
        super(message);
    }
}
