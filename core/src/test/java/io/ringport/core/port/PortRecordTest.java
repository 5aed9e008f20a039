package io.ringport.core.port;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.port.PortRecord.Connect;
import io.ringport.core.port.PortRecord.Disconnect;
import io.ringport.core.port.PortRecord.TerminationImminent;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.ringport.core.port.PortRecordDescriptor.CONNECT_TYPE_ID;
import static io.ringport.core.port.PortRecordDescriptor.DISCONNECT_TYPE_ID;
import static io.ringport.core.port.PortRecordDescriptor.PATHS_OFFSET;
import static io.ringport.core.port.PortRecordDescriptor.TERMINATION_IMMINENT_TYPE_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortRecordTest
{
    @TempDir
    Path home;

    private final Connect connect = new Connect(
        17L, 4242L, 1000, 100, RingFile.newToken(), "/dev/shm/ringport-émile/c2s-01.ring", "/proc/77/fd/12");

    @Test
    void recordsRoundTripThroughAPortRing() throws IOException
    {
        final List<PortRecord> sent =
            List.of(connect, new Disconnect(17L), new TerminationImminent(TerminationImminent.IDLE));
        final List<PortRecord> decoded = new ArrayList<>();

        try (RingFile daemonEnd = RingFile.create(home, RingKind.PORT, 4096, 1024, 0, RingFile.newToken());
            RingFile serviceEnd = RingFile.map(daemonEnd.path(), RingKind.PORT, null))
        {
            final RingWriter port = new RingWriter(daemonEnd.ring(), daemonEnd.path().toString());
            for (final PortRecord record : sent)
            {
                final int index = port.tryClaim(record.typeId(), record.encodedLength());
                record.encode(port.buffer(), index);
                port.commit();
            }

            final RingReader reader = new RingReader(serviceEnd.ring(), serviceEnd.path().toString());
            reader.read((typeId, buffer, offset, length) ->
                decoded.add(PortRecord.decode(typeId, buffer, offset, length)), 10);
        }

        assertEquals(sent, decoded);
    }

    @Test
    void connectTooShortIsAProtocolViolation()
    {
        assertMalformed(CONNECT_TYPE_ID, new byte[PATHS_OFFSET + 3], "CONNECT record of 43 bytes is too short");
    }

    @Test
    void connectPathLengthBeyondTheRecordIsAProtocolViolation()
    {
        final byte[] c2sTooLong = encode(connect);
        new UnsafeBuffer(c2sTooLong).putShort(PATHS_OFFSET, (short)1000);
        assertMalformed(CONNECT_TYPE_ID, c2sTooLong, "path length of 1000 that does not fit");

        final byte[] negative = encode(connect);
        new UnsafeBuffer(negative).putShort(PATHS_OFFSET, (short)-2);
        assertMalformed(CONNECT_TYPE_ID, negative, "path length of -2 that does not fit");

        final byte[] full = encode(connect);
        final byte[] s2cCutShort = new byte[full.length - 1];
        System.arraycopy(full, 0, s2cCutShort, 0, s2cCutShort.length);
        assertMalformed(CONNECT_TYPE_ID, s2cCutShort, "path length of 14 that does not fit");
    }

    @Test
    void disconnectOfWrongLengthIsAProtocolViolation()
    {
        assertMalformed(DISCONNECT_TYPE_ID, new byte[4], "DISCONNECT record of 4 bytes, expected 8");
        assertMalformed(DISCONNECT_TYPE_ID, new byte[12], "DISCONNECT record of 12 bytes, expected 8");
        assertMalformed(
            TERMINATION_IMMINENT_TYPE_ID, new byte[8], "TERMINATION_IMMINENT record of 8 bytes, expected 4");
    }

    @Test
    void unknownTypeIsAProtocolViolation()
    {
        assertMalformed(99, new byte[8], "unknown record type 99");
    }

    private static byte[] encode(final PortRecord record)
    {
        final byte[] bytes = new byte[record.encodedLength()];
        record.encode(new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    /** The record sits in a buffer of exactly its length, so any read past its end would fail with another error. */
    private static void assertMalformed(final int typeId, final byte[] record, final String reason)
    {
        final RingportException ex = assertThrows(RingportException.class,
            () -> PortRecord.decode(typeId, new UnsafeBuffer(record), 0, record.length));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().startsWith("port ring: "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }
}
