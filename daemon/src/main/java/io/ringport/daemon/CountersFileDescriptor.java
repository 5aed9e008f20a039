package io.ringport.daemon;

import org.agrona.concurrent.status.CountersReader;

/**
 * Layout of the counters file, {@code RINGPORT_HOME/counters.dat}, after Aeron's CnC file: a header page, then the
 * metadata and values buffers of an Agrona {@link org.agrona.concurrent.status.CountersManager}.
 * <pre>
 *  header page:  magic "RPCOUNTR" (8) | layout version (4) | unused (4) | daemon pid (8) |
 *                metadata buffer length (4) | values buffer length (4)
 *  metadata:     {@link CountersReader#METADATA_LENGTH} bytes per counter: state, type id, key, label
 *  values:       {@link CountersReader#COUNTER_LENGTH} bytes per counter: the value on a cache line pair of its own
 * </pre>
 * The daemon creates and writes the file; tools map it read-only and read the values while it runs.
 */
public final class CountersFileDescriptor
{
    /** Name of the counters file in the home. */
    public static final String FILE_NAME = "counters.dat";

    /** "RPCOUNTR" in ASCII, little-endian. */
    public static final long MAGIC = 0x52544E554F435052L;

    /** Version of this layout; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the magic number, written last. */
    public static final int MAGIC_OFFSET = 0;

    /** Offset of the layout version. */
    public static final int LAYOUT_VERSION_OFFSET = 8;

    /** Offset of the pid of the daemon that owns the file. */
    public static final int DAEMON_PID_OFFSET = 16;

    /** Offset of the metadata buffer's length. */
    public static final int METADATA_LENGTH_OFFSET = 24;

    /** Offset of the values buffer's length. */
    public static final int VALUES_LENGTH_OFFSET = 28;

    /** Length of the header page; the metadata buffer starts here. */
    public static final int HEADER_LENGTH = 4096;

    /** Counters the file has room for: nine per service, so about 900 services. */
    public static final int MAX_COUNTERS = 8192;

    /** Length of the metadata buffer. */
    public static final int METADATA_BUFFER_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;

    /** Length of the values buffer. */
    public static final int VALUES_BUFFER_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;

    /** Length of the whole file; on tmpfs only the pages of allocated counters take memory. */
    public static final int FILE_LENGTH = HEADER_LENGTH + METADATA_BUFFER_LENGTH + VALUES_BUFFER_LENGTH;

    private CountersFileDescriptor()
    {
    }
}
