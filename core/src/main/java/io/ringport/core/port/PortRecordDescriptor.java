package io.ringport.core.port;

/**
 * Layout of the records the daemon writes to a service's port ring.
 * <pre>
 *  CONNECT:              connection id (8) | pid (8) | uid (4) | gid (4) | token (16) |
 *                        c2s path length (2) | c2s path UTF-8 | s2c path length (2) | s2c path UTF-8
 *  DISCONNECT:           connection id (8)
 *  TERMINATION_IMMINENT: reason code (4)
 * </pre>
 */
public final class PortRecordDescriptor
{
    /** Record type: a new connection for the service to accept. */
    public static final int CONNECT_TYPE_ID = 1;

    /** Record type: the client of a connection let go of it or died. */
    public static final int DISCONNECT_TYPE_ID = 2;

    /** Record type: the daemon asks the service to finish and exit. */
    public static final int TERMINATION_IMMINENT_TYPE_ID = 3;

    /** Offset of the connection id in CONNECT and DISCONNECT. */
    public static final int CONNECTION_ID_OFFSET = 0;

    /** Offset of the client's pid in CONNECT. */
    public static final int PID_OFFSET = 8;

    /** Offset of the client's uid in CONNECT. */
    public static final int UID_OFFSET = 16;

    /** Offset of the client's gid in CONNECT. */
    public static final int GID_OFFSET = 20;

    /** Offset of the connection token in CONNECT. */
    public static final int TOKEN_OFFSET = 24;

    /** Offset of the first path length in CONNECT. */
    public static final int PATHS_OFFSET = 40;

    /** Length of the DISCONNECT record. */
    public static final int DISCONNECT_LENGTH = 8;

    /** Offset of the reason code in TERMINATION_IMMINENT. */
    public static final int REASON_OFFSET = 0;

    /** Length of the TERMINATION_IMMINENT record. */
    public static final int TERMINATION_IMMINENT_LENGTH = 4;

    /** Longest path, in UTF-8 bytes, a CONNECT record carries. */
    public static final int MAX_PATH_LENGTH = 1024;

    private PortRecordDescriptor()
    {
    }
}
