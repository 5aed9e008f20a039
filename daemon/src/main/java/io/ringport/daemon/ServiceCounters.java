package io.ringport.daemon;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * One service's counters in the counters file. The daemon is their only writer: it counts launches, crashes and
 * throttles as they happen, and publishes the connection gauge and the traffic sums at every tick.
 */
final class ServiceCounters implements AutoCloseable
{
    private final AtomicCounter[] counters = new AtomicCounter[ServiceCounter.values().length];
    /** Traffic of the connections already removed, so that the published sums never go down. */
    private final long[] retired = new long[ServiceCounter.TRAFFIC_COUNTERS];
    private final long[] tally = new long[ServiceCounter.TRAFFIC_COUNTERS];

    /**
     * Allocate the counters of a service, labelled {@code "<service> <counter key>"}: a service name holds no space.
     *
     * @throws IllegalStateException when the counters file is full.
     */
    ServiceCounters(final CountersManager manager, final String service)
    {
        try
        {
            for (final ServiceCounter counter : ServiceCounter.values())
            {
                counters[counter.ordinal()] = manager.newCounter(service + " " + counter.key(), counter.typeId());
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    void increment(final ServiceCounter counter)
    {
        counters[counter.ordinal()].incrementRelease();
    }

    long get(final ServiceCounter counter)
    {
        return counters[counter.ordinal()].getPlain();
    }

    /** Keep the final counts of a connection that is being removed. */
    void retire(final ConnectionEntry connection)
    {
        TrafficCounters.addTo(retired, connection.c2s, connection.s2c);
    }

    /** Start a tally of the traffic from what retired connections carried. */
    void startTally()
    {
        System.arraycopy(retired, 0, tally, 0, retired.length);
    }

    /** Add a live connection to the tally. */
    void tally(final ConnectionEntry connection)
    {
        TrafficCounters.addTo(tally, connection.c2s, connection.s2c);
    }

    /** Publish the tally and the number of connections. */
    void publishTally(final int connections)
    {
        for (int i = 0; i < tally.length; i++)
        {
            counters[i].setRelease(tally[i]);
        }
        counters[ServiceCounter.CONNECTIONS.ordinal()].setRelease(connections);
    }

    /** Free the counters; readers stop seeing them. */
    public void close()
    {
        for (final AtomicCounter counter : counters)
        {
            if (null != counter)
            {
                counter.close();
            }
        }
    }
}
