package io.ringport.daemon;

import io.ringport.daemon.definition.ServiceDefinition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's record of one registered service: its definition, port, counters, state and running instance.
 */
final class ServiceEntry
{
    /** How far the stop of an instance has gone. */
    enum StopPhase
    {
        /** TERMINATION_IMMINENT sent; waiting for the instance to exit by itself. */
        ASKED,
        /** SIGTERM sent. */
        TERMINATED,
        /** SIGKILL sent. */
        KILLED
    }

    final ServiceDefinition definition;
    final PortWriter port;
    final ServiceCounters counters;
    /** Connections not yet released by the service side, in the order they were made. */
    final Map<Long, ConnectionEntry> connections = new LinkedHashMap<>();
    /** Operators waiting for the next check-in: kickstart. */
    final List<PendingAnswer> startWaiters = new ArrayList<>();
    /** Operators waiting for the instance to exit: stop, unregister. */
    final List<PendingAnswer> exitWaiters = new ArrayList<>();

    ServiceState state = ServiceState.IDLE;
    Process process;
    String checkInToken;
    Session session;
    long lastLaunchNs;
    /** While LAUNCHING: when the start times out. While THROTTLED: when the next launch may happen. */
    long deadlineNs;
    String lastFailure;
    /** The TERMINATION_IMMINENT reason the instance was asked to exit with; 0 while nobody asked. */
    int stopReason;
    StopPhase stopPhase;
    /** When the stop moves to its next phase. */
    long stopDeadlineNs;
    /** Launch again as soon as the instance exits: kickstart -k. */
    boolean relaunchAfterExit;
    /** Removed from the namespace; the entry lives on only until its instance exited. */
    boolean unregistered;
    /** Since when the running instance has had no connection, while {@link #idle}. */
    long idleSinceNs;
    boolean idle;
    /** The class-data archive the current launch uses or writes; null for none. */
    ClassDataSharing.Launch classData;
    /** Why class-data sharing is off for this service from now on; null while it is not. */
    String classDataOff;
    /** When its recent crashes and failed starts happened, oldest first: those within startLimitInterval. */
    final ArrayDeque<Long> badStartsNs = new ArrayDeque<>();
    /** Why the service hit its start limit and launches no more until an operator starts it; null while not. */
    String startLimitHit;
    /** The running instance wrote a consumer position into its port that is not one (logged once). */
    boolean portBroken;
    /** The instance is being stopped because it broke its port, not because anybody asked: its exit is a crash. */
    boolean stoppedForPort;
    /** The daemon is putting back the port's pending CONNECTs after finding it broken with no instance. */
    boolean resettingPort;

    ServiceEntry(final ServiceDefinition definition, final PortWriter port, final ServiceCounters counters)
    {
        this.definition = definition;
        this.port = port;
        this.counters = counters;
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

    boolean isStopping()
    {
        return 0 != stopReason;
    }
}
