package io.ringport.core.control;

import java.util.Arrays;
import java.util.List;

/**
 * The messages of the control protocol between processes and the daemon (see {@link ControlCodec} for framing).
 * <p>
 * A session starts with {@link Hello}; requests carry a request id that the answer repeats; events from the daemon
 * carry request id 0.
 */
public sealed interface ControlMessage
{
    /**
     * First frame of every session: the protocol version and the sender's pid (checked against its credentials).
     *
     * @param pid the sender's process id.
     */
    record Hello(long pid) implements ControlMessage
    {
    }

    /**
     * Answer to {@link Hello}.
     *
     * @param daemonPid the daemon's process id.
     */
    record HelloOk(long daemonPid) implements ControlMessage
    {
    }

    /**
     * Ask for a connection to a service (bootstrap look-up).
     *
     * @param service name.
     */
    record Connect(String service) implements ControlMessage
    {
    }

    /**
     * The capability for a new connection: its ring paths and token.
     *
     * @param connectionId     id of the connection.
     * @param c2sPath          ring the client writes.
     * @param s2cPath          ring the client reads.
     * @param token            bound into both ring headers.
     * @param maxMessageLength longest message the service takes.
     */
    record Connected(long connectionId, String c2sPath, String s2cPath, byte[] token, int maxMessageLength)
        implements ControlMessage
    {
        /** {@inheritDoc} */
        public boolean equals(final Object o)
        {
            return o instanceof Connected c && c.connectionId == connectionId && c.c2sPath.equals(c2sPath) &&
                c.s2cPath.equals(s2cPath) && Arrays.equals(c.token, token) && c.maxMessageLength == maxMessageLength;
        }

        /** {@inheritDoc} */
        public int hashCode()
        {
            return Long.hashCode(connectionId);
        }
    }

    /**
     * A launched service claims its name with the one-time token it inherited.
     *
     * @param service name.
     * @param token   from {@code RINGPORT_CHECKIN_TOKEN}.
     */
    record CheckIn(String service, String token) implements ControlMessage
    {
    }

    /**
     * Check-in accepted: the port ring to read.
     *
     * @param portPath path of the service's port ring.
     */
    record CheckedIn(String portPath) implements ControlMessage
    {
    }

    /**
     * This end lets go of a connection; the daemon removes its files once both ends have.
     *
     * @param connectionId of the connection.
     */
    record Release(long connectionId) implements ControlMessage
    {
    }

    /**
     * Ask for the list of services.
     */
    record ListServices() implements ControlMessage
    {
    }

    /**
     * One service in a {@link ServiceList}.
     *
     * @param name        of the service.
     * @param state       IDLE, LAUNCHING, RUNNING, EXITED, THROTTLED or FAILED.
     * @param pid         of the running instance, 0 when none.
     * @param launches    how many times it was started.
     * @param connections open connections.
     */
    record ServiceInfo(String name, String state, long pid, long launches, long connections)
    {
    }

    /**
     * The services the daemon knows.
     *
     * @param services one entry per service, sorted by name.
     */
    record ServiceList(List<ServiceInfo> services) implements ControlMessage
    {
    }

    /**
     * Ask the daemon to stop its services, remove its files and exit.
     */
    record Shutdown() implements ControlMessage
    {
    }

    /**
     * Operator: start a service now, past its throttle; answered with its {@link ServiceList} entry once an instance
     * checked in, or with an {@link Error} saying why the start failed.
     *
     * @param service name.
     * @param kill    stop a running instance first (as {@link Stop} does), then start a new one.
     */
    record Kickstart(String service, boolean kill) implements ControlMessage
    {
    }

    /**
     * Operator: stop a service's instance (TERMINATION_IMMINENT, SIGTERM, SIGKILL after its exitTimeout) without a
     * keepAlive relaunch; answered with its {@link ServiceList} entry once the instance exited.
     *
     * @param service name.
     */
    record Stop(String service) implements ControlMessage
    {
    }

    /**
     * Operator: load one definition file into the running daemon; answered with the new service's
     * {@link ServiceList} entry.
     *
     * @param definitionFile absolute path of the {@code .properties} file.
     */
    record Register(String definitionFile) implements ControlMessage
    {
    }

    /**
     * Operator: stop a service, invalidate its connections and forget it; answered with its last
     * {@link ServiceList} entry once its instance exited.
     *
     * @param service name.
     */
    record Unregister(String service) implements ControlMessage
    {
    }

    /**
     * A request succeeded.
     */
    record Ok() implements ControlMessage
    {
    }

    /**
     * A request failed.
     *
     * @param code    {@link io.ringport.core.ErrorCode#wireCode()}.
     * @param message what failed and why.
     */
    record Error(int code, String message) implements ControlMessage
    {
    }

    /**
     * Event: the service instance that had accepted the connection died; the next send reconnects.
     *
     * @param connectionId of the connection.
     * @param reason       what happened.
     */
    record Interrupted(long connectionId, String reason) implements ControlMessage
    {
    }

    /**
     * Event: the connection can never work (start failed, service removed, ...).
     *
     * @param connectionId of the connection.
     * @param code         {@link io.ringport.core.ErrorCode#wireCode()}.
     * @param reason       what happened.
     */
    record Invalidated(long connectionId, int code, String reason) implements ControlMessage
    {
    }
}
