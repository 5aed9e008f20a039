package io.ringport.client;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The library's polling thread for client connections (managed mode): polls every resumed connection's rx ring and
 * runs the commands other threads hand it, so that messages and events of a connection reach its handler in order.
 */
final class Receiver implements Agent, DoorbellIdleStrategy.Rings
{
    private static final int POLL_LIMIT = 64;

    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final Consumer<Runnable> drain = Runnable::run;

    /** Run a command on the receiver thread; blocks briefly if the command queue is full. */
    void execute(final Runnable command)
    {
        while (!commands.offer(command))
        {
            Thread.onSpinWait();
        }
    }

    /** Called on the receiver thread only. */
    void add(final Connection connection)
    {
        if (!connections.contains(connection))
        {
            connections.add(connection);
        }
    }

    /** Called on the receiver thread only. */
    void remove(final Connection connection)
    {
        connections.remove(connection);
    }

    /** {@inheritDoc} */
    public int doWork()
    {
        int work = commands.drain(drain);
        final ArrayList<Connection> connections = this.connections;
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final Connection connection = connections.get(i);
            try
            {
                work += connection.poll(POLL_LIMIT);
            }
            catch (final RuntimeException ex)
            {
                // A handler's exception, as a rule: the other connections are polled as ever.
                connection.reportFailure("polling the connection to '" + connection.service() + "'", ex);
                work++;
            }
        }
        return work;
    }

    /** Called on the receiver thread only, by its blocking wait strategy. */
    public void collect(final DoorbellIdleStrategy into)
    {
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            connections.get(i).watchRx(into);
        }
    }

    /** {@inheritDoc} */
    public String roleName()
    {
        return "ringport-receiver";
    }
}
