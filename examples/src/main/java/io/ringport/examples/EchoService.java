package io.ringport.examples;

import io.ringport.client.Listener;
import io.ringport.client.Ringport;
import io.ringport.client.WaitStrategy;


/**
 * The example service: checks in with the daemon that launched it and echoes every message back to its sender,
 * as a reply for requests and as a one-way message otherwise.
 */
public final class EchoService
{
    private EchoService()
    {
    }

    /**
     * Entry point; the daemon launches it with {@code RINGPORT_*} in the environment.
     *
     * @param args ignored.
     */
    public static void main(final String[] args)
    {
        // Spin while busy, sleep on the rings' doorbells when idle: low latency under load, no CPU at rest.
        final Ringport.Context ctx = new Ringport.Context().waitStrategy(WaitStrategy.BLOCKING);
        try (Ringport ringport = Ringport.open(ctx); Listener listener = ringport.checkIn())
        {
            listener.onConnection(peer -> peer.setEventHandler(message ->
            {
                if (message.isRequest())
                {
                    peer.reply(message, message.buffer(), message.offset(), message.length());
                }
                else
                {
                    peer.send(message.buffer(), message.offset(), message.length());
                }
            }));
            listener.run();
        }
    }
}
