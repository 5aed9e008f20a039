package io.ringport.client;

/**
 * How the library reports an exception from user code it runs on its own threads (a listener's or the receiver's),
 * where no caller is there to catch it: one line that says what threw and what happens next, then the stack trace.
 */
final class HandlerFailure
{
    private HandlerFailure()
    {
    }

    /**
     * Print it to standard error.
     *
     * @param what that threw, e.g. "io.ringport.echo: the handler of connection 7".
     * @param ex   the exception.
     * @param next what the library does now, e.g. "serving on".
     */
    static void report(final String what, final RuntimeException ex, final String next)
    {
        System.err.println("ringport: " + what + " threw " + ex + "; " + next);
        ex.printStackTrace();
    }
}
