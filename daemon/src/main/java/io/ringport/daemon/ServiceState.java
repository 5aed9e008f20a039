package io.ringport.daemon;

/**
 * Where a service is in its life, as {@code ringport list} shows it.
 */
public enum ServiceState
{
    /** Registered, never launched. */
    IDLE,
    /** Process spawned, not yet checked in. */
    LAUNCHING,
    /** Checked in and serving its port. */
    RUNNING,
    /** The last instance exited, crashed without keepAlive, or was stopped; the next connection launches it again. */
    EXITED,
    /** A relaunch is due but the last launch was too recent: it waits for the throttle interval. */
    THROTTLED,
    /** The last start failed (exec failed, exited before check-in, or start timeout). */
    FAILED
}
