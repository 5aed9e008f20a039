package io.ringport.client;

/**
 * Receives a connection's messages and events, on the thread that polls the connection.
 */
@FunctionalInterface
public interface EventHandler
{
    /**
     * A message arrived; it is valid only during this call.
     *
     * @param message the flyweight over the ring.
     */
    void onMessage(Message message);

    /**
     * Something happened to the connection.
     *
     * @param event  what happened.
     * @param reason a sentence saying why.
     */
    default void onEvent(final ConnectionEvent event, final String reason)
    {
    }
}
