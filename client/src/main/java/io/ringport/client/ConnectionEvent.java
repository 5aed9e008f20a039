package io.ringport.client;

/**
 * What can happen to a connection besides a message, after XPC's connection errors.
 */
public enum ConnectionEvent
{
    /** The service instance died; pending requests failed; the next send reconnects and relaunches it. */
    INTERRUPTED,
    /** The connection can never work: unknown name, denied, start failed, daemon shut down. */
    INVALIDATED,
    /** The daemon asked the service to finish and exit (idle exit, stop, shutdown). */
    TERMINATION_IMMINENT,
    /** The other end closed the connection after everything it sent was delivered. */
    CLOSED
}
