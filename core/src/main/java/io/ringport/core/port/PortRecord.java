package io.ringport.core.port;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.ring.RingFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.ringport.core.port.PortRecordDescriptor.*;

/**
 * A record on a service's port ring, with its encoder and its validating decoder side by side.
 */
public sealed interface PortRecord
{
    /**
     * Record type to write to the ring.
     *
     * @return one of the {@link PortRecordDescriptor} type ids.
     */
    int typeId();

    /**
     * Bytes the encoded record needs.
     *
     * @return encoded length.
     */
    int encodedLength();

    /**
     * Write the record's payload.
     *
     * @param buffer to write into.
     * @param offset where the payload starts.
     */
    void encode(MutableDirectBuffer buffer, int offset);

    /**
     * A new connection: where its rings are, the token that binds them, and who the client is.
     *
     * @param connectionId id the daemon gave the connection.
     * @param pid          the client's pid.
     * @param uid          the client's uid.
     * @param gid          the client's gid.
     * @param token        {@link RingFileDescriptor#TOKEN_LENGTH} bytes, also in both ring headers.
     * @param c2sPath      path of the client → service ring.
     * @param s2cPath      path of the service → client ring.
     */
    record Connect(long connectionId, long pid, int uid, int gid, byte[] token, String c2sPath, String s2cPath)
        implements PortRecord
    {
        /** {@inheritDoc} */
        public int typeId()
        {
            return CONNECT_TYPE_ID;
        }

        /** {@inheritDoc} */
        public int encodedLength()
        {
            return PATHS_OFFSET + 2 + utf8(c2sPath).length + 2 + utf8(s2cPath).length;
        }

        /** {@inheritDoc} */
        public void encode(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset + CONNECTION_ID_OFFSET, connectionId);
            buffer.putLong(offset + PID_OFFSET, pid);
            buffer.putInt(offset + UID_OFFSET, uid);
            buffer.putInt(offset + GID_OFFSET, gid);
            buffer.putBytes(offset + TOKEN_OFFSET, token);
            final int next = putPath(buffer, offset + PATHS_OFFSET, c2sPath);
            putPath(buffer, next, s2cPath);
        }

        /** {@inheritDoc} */
        public boolean equals(final Object o)
        {
            return o instanceof Connect c && c.connectionId == connectionId && c.pid == pid && c.uid == uid &&
                c.gid == gid && Arrays.equals(c.token, token) && c.c2sPath.equals(c2sPath) && c.s2cPath.equals(s2cPath);
        }

        /** {@inheritDoc} */
        public int hashCode()
        {
            return Long.hashCode(connectionId);
        }
    }

    /**
     * The client of a connection let go of it or died: drain what it sent, then close.
     *
     * @param connectionId of the connection.
     */
    record Disconnect(long connectionId) implements PortRecord
    {
        /** {@inheritDoc} */
        public int typeId()
        {
            return DISCONNECT_TYPE_ID;
        }

        /** {@inheritDoc} */
        public int encodedLength()
        {
            return DISCONNECT_LENGTH;
        }

        /** {@inheritDoc} */
        public void encode(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset + CONNECTION_ID_OFFSET, connectionId);
        }
    }

    /**
     * The daemon asks the service to finish its work and exit.
     *
     * @param reason 1 = idle exit, 2 = stop requested, 3 = daemon shutting down.
     */
    record TerminationImminent(int reason) implements PortRecord
    {
        /** Reason: the service had no connections for its idle-exit time. */
        public static final int IDLE = 1;
        /** Reason: an operator asked for the service to stop. */
        public static final int STOP = 2;
        /** Reason: the daemon is shutting down. */
        public static final int SHUTDOWN = 3;

        /** {@inheritDoc} */
        public int typeId()
        {
            return TERMINATION_IMMINENT_TYPE_ID;
        }

        /** {@inheritDoc} */
        public int encodedLength()
        {
            return TERMINATION_IMMINENT_LENGTH;
        }

        /** {@inheritDoc} */
        public void encode(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putInt(offset + REASON_OFFSET, reason);
        }
    }

    /**
     * Decode a record read from a port ring, checking every length against the record's bounds.
     *
     * @param typeId type of the record.
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @param length of the payload.
     * @return the record.
     * @throws RingportException ({@link ErrorCode#PROTOCOL_VIOLATION}) when the record is malformed.
     */
    static PortRecord decode(final int typeId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (typeId)
        {
            case CONNECT_TYPE_ID:
            {
                if (length < PATHS_OFFSET + 4)
                {
                    throw malformed("CONNECT record of " + length + " bytes is too short");
                }
                final byte[] token = new byte[RingFileDescriptor.TOKEN_LENGTH];
                buffer.getBytes(offset + TOKEN_OFFSET, token);
                final int end = offset + length;
                final int c2sLengthAt = offset + PATHS_OFFSET;
                final String c2sPath = getPath(buffer, c2sLengthAt, end);
                final String s2cPath = getPath(buffer, c2sLengthAt + 2 + buffer.getShort(c2sLengthAt), end);
                return new Connect(
                    buffer.getLong(offset + CONNECTION_ID_OFFSET),
                    buffer.getLong(offset + PID_OFFSET),
                    buffer.getInt(offset + UID_OFFSET),
                    buffer.getInt(offset + GID_OFFSET),
                    token,
                    c2sPath,
                    s2cPath);
            }
            case DISCONNECT_TYPE_ID:
                checkLength("DISCONNECT", length, DISCONNECT_LENGTH);
                return new Disconnect(buffer.getLong(offset + CONNECTION_ID_OFFSET));
            case TERMINATION_IMMINENT_TYPE_ID:
                checkLength("TERMINATION_IMMINENT", length, TERMINATION_IMMINENT_LENGTH);
                return new TerminationImminent(buffer.getInt(offset + REASON_OFFSET));
            default:
                throw malformed("unknown record type " + typeId);
        }
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int putPath(final MutableDirectBuffer buffer, final int offset, final String path)
    {
        final byte[] bytes = utf8(path);
        if (bytes.length > MAX_PATH_LENGTH)
        {
            throw new IllegalArgumentException("path longer than " + MAX_PATH_LENGTH + " bytes: " + path);
        }
        buffer.putShort(offset, (short)bytes.length);
        buffer.putBytes(offset + 2, bytes);
        return offset + 2 + bytes.length;
    }

    private static String getPath(final DirectBuffer buffer, final int lengthAt, final int end)
    {
        if (lengthAt + 2 > end)
        {
            throw malformed("CONNECT record ends before a path length");
        }
        final int pathLength = buffer.getShort(lengthAt);
        if (pathLength <= 0 || pathLength > MAX_PATH_LENGTH || lengthAt + 2 + pathLength > end)
        {
            throw malformed("CONNECT record has a path length of " + pathLength + " that does not fit");
        }
        final byte[] bytes = new byte[pathLength];
        buffer.getBytes(lengthAt + 2, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void checkLength(final String what, final int length, final int expected)
    {
        if (length != expected)
        {
            throw malformed(what + " record of " + length + " bytes, expected " + expected);
        }
    }

    private static RingportException malformed(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "port ring: " + reason);
    }
}
