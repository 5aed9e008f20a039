package io.ringport.core.control;

/**
 * Framing of the control protocol on the daemon's Unix domain socket.
 * <pre>
 *  frame  := length (int32, bytes after this field) | version (int16) | type (int16) | request id (int64) | body
 *  string := length (uint16) | UTF-8 bytes
 *  bytes  := length (uint16) | bytes
 *  bool   := 0 or 1 (int8)
 * </pre>
 * All integers are big-endian. A frame longer than {@link #MAX_FRAME_LENGTH}, of another version, of an unknown
 * type or with a body that does not match its type is a protocol violation: the receiver closes that session.
 */
public final class ControlProtocol
{
    /** Version of the protocol spoken by this library. */
    public static final short VERSION = 1;

    /** Length of the length prefix. */
    public static final int LENGTH_FIELD_LENGTH = 4;

    /** Length of version, type and request id after the length prefix. */
    public static final int HEADER_LENGTH = 2 + 2 + 8;

    /** Longest frame accepted, length prefix excluded. */
    public static final int MAX_FRAME_LENGTH = 256 * 1024;

    /** Longest string field, in UTF-8 bytes. */
    public static final int MAX_STRING_LENGTH = 4096;

    /** Encoding of a true boolean field. */
    public static final byte TRUE = 1;

    /** Encoding of a false boolean field. */
    public static final byte FALSE = 0;

    /** Name of the daemon's socket in {@code RINGPORT_HOME}. */
    public static final String SOCKET_NAME = "bootstrap.sock";

    static final short HELLO = 1;
    static final short HELLO_OK = 2;
    static final short CONNECT = 3;
    static final short CONNECTED = 4;
    static final short CHECK_IN = 5;
    static final short CHECKED_IN = 6;
    static final short RELEASE = 7;
    static final short LIST = 8;
    static final short SERVICE_LIST = 9;
    static final short SHUTDOWN = 10;
    static final short OK = 11;
    static final short ERROR = 12;
    static final short INTERRUPTED = 13;
    static final short INVALIDATED = 14;
    static final short KICKSTART = 15;
    static final short STOP = 16;
    static final short REGISTER = 17;
    static final short UNREGISTER = 18;

    private ControlProtocol()
    {
    }
}
