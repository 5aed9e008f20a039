package io.ringport.daemon;

/**
 * The counters the daemon keeps per service in the counters file, each an Agrona counter of its own type id.
 * <p>
 * The traffic counters (messages, bytes, back-pressure) add up what the endpoints count in the header of each ring
 * they produce ({@link TrafficCounters}), over the service's open connections and the ones it had before; the daemon
 * never sees a message.
 */
public enum ServiceCounter
{
    /** Messages clients sent to the service (c2s). */
    MESSAGES_IN(1001, "messages_in"),
    /** Message bytes clients sent to the service (c2s), headers excluded. */
    BYTES_IN(1002, "bytes_in"),
    /** Messages the service sent to clients (s2c): replies and one-way messages. */
    MESSAGES_OUT(1003, "messages_out"),
    /** Message bytes the service sent to clients (s2c), headers excluded. */
    BYTES_OUT(1004, "bytes_out"),
    /** Sends and offers in either direction that found the ring full. */
    BACK_PRESSURE(1005, "back_pressure"),
    /** Processes started for the service. */
    LAUNCHES(1006, "launches"),
    /** Instances that exited with a non-zero status (or a signal) without being asked to stop. */
    CRASHES(1007, "crashes"),
    /** Launches that had to wait for the throttle interval. */
    THROTTLES(1008, "throttles"),
    /** Connections the daemon tracks for the service now (a gauge, as in {@code ringport list}). */
    CONNECTIONS(1009, "connections");

    /** How many of the counters, from the first, count traffic. */
    static final int TRAFFIC_COUNTERS = BACK_PRESSURE.ordinal() + 1;

    private final int typeId;
    private final String key;

    ServiceCounter(final int typeId, final String key)
    {
        this.typeId = typeId;
        this.key = key;
    }

    /**
     * The Agrona type id of this counter in the counters file.
     *
     * @return the type id.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * The name of this counter in labels and JSON.
     *
     * @return a snake_case key.
     */
    public String key()
    {
        return key;
    }

    /**
     * The counter of a type id.
     *
     * @param typeId as read from the counters file.
     * @return the counter, or null for a type id this version does not know.
     */
    public static ServiceCounter ofTypeId(final int typeId)
    {
        for (final ServiceCounter counter : values())
        {
            if (counter.typeId == typeId)
            {
                return counter;
            }
        }
        return null;
    }
}
