package io.ringport.daemon;

import io.ringport.daemon.definition.ServiceDefinition;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's record of one registered service: its definition, port, state and running instance.
 */
final class ServiceEntry
{
    final ServiceDefinition definition;
    final PortWriter port;
    final Map<Long, ConnectionEntry> connections = new LinkedHashMap<>();

    ServiceState state = ServiceState.IDLE;
    Process process;
    String checkInToken;
    Session session;
    long launches;
    long lastLaunchNs;
    /** While LAUNCHING: when the start times out. While THROTTLED: when the next launch may happen. */
    long deadlineNs;
    String lastFailure;

    ServiceEntry(final ServiceDefinition definition, final PortWriter port)
    {
        this.definition = definition;
        this.port = port;
    }

    String name()
    {
        return definition.name();
    }

    long pid()
    {
        return null != process && process.isAlive() ? process.pid() : 0;
    }

    boolean hasInstance()
    {
        return ServiceState.LAUNCHING == state || ServiceState.RUNNING == state;
    }
}
