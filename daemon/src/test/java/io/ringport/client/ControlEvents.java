package io.ringport.client;

import io.ringport.core.control.ControlMessage;

/**
 * Hands a connection an event as its control session's thread does, for a test that needs two findings of one
 * connection in an order a real daemon sends but cannot be made to send on cue. In the client's package, for the
 * tests of the daemon's module, the only one that runs a real daemon.
 */
public final class ControlEvents
{
    private ControlEvents()
    {
    }

    /**
     * Route an event from the daemon to a connection, as the {@code ringport-control} thread does.
     *
     * @param connection the connection it is for.
     * @param event      an INTERRUPTED or INVALIDATED of one of the connection's ids.
     */
    public static void fromDaemon(final Connection connection, final ControlMessage event)
    {
        connection.onDaemonEvent(event);
    }
}
