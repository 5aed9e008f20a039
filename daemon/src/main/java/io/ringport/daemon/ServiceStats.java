package io.ringport.daemon;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One service's counters as read from the counters file.
 *
 * @param name   of the service.
 * @param values the value of each counter found; a counter missing from the file reads as 0.
 */
public record ServiceStats(String name, Map<ServiceCounter, Long> values)
{
    /**
     * Stats holding an unmodifiable copy of the values.
     *
     * @param name   of the service.
     * @param values the value of each counter found.
     */
    public ServiceStats
    {
        values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(ServiceCounter.class) :
            new EnumMap<>(values));
    }

    /**
     * The value of one counter.
     *
     * @param counter which.
     * @return its value, 0 when the file did not hold it.
     */
    public long get(final ServiceCounter counter)
    {
        return values.getOrDefault(counter, 0L);
    }
}
