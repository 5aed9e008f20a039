package io.ringport.jmh.partner;

import io.ringport.client.EventHandler;
import io.ringport.client.Listener;
import io.ringport.client.Peer;
import io.ringport.client.Ringport;
import io.ringport.jmh.Role;
import io.ringport.jmh.WaitMode;

import java.util.Optional;

/**
 * The Ringport benchmark service, launched by the daemon: echoes each message (a reply for a request, a one-way
 * message otherwise) or drops it, with its listener waiting as the wait mode says. It exits when the daemon asks,
 * or when the benchmark JVM that runs the daemon is gone.
 * <p>
 * Arguments: {@code ROLE WAIT}, e.g. {@code echo busy}.
 */
public final class RingportPartner
{
    private RingportPartner()
    {
    }

    /**
     * Entry point.
     *
     * @param args role and wait mode.
     */
    public static void main(final String[] args)
    {
        final Role role = Role.of(args[0]);
        final WaitMode wait = WaitMode.of(args[1]);
        try (Ringport ringport = Ringport.open(wait.apply(new Ringport.Context()));
            Listener listener = ringport.checkIn())
        {
            listener.onConnection(peer -> peer.setEventHandler(Role.ECHO == role ? echo(peer) : message -> {}));
            // After the listener is up: the watcher is not on the way to the first message.
            exitWithParent();
            listener.run();
        }
    }

    private static EventHandler echo(final Peer peer)
    {
        return message ->
        {
            if (message.isRequest())
            {
                peer.reply(message, message.buffer(), message.offset(), message.length());
            }
            else
            {
                peer.send(message.buffer(), message.offset(), message.length());
            }
        };
    }

    private static void exitWithParent()
    {
        final Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty())
        {
            return;
        }
        final Thread watcher = new Thread(() ->
        {
            try
            {
                while (parent.get().isAlive())
                {
                    Thread.sleep(500);
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
