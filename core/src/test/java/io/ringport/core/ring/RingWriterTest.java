package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.ringport.core.ring.RingDescriptor.HEADER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.LENGTH_OFFSET;
import static io.ringport.core.ring.RingDescriptor.PADDING_TYPE_ID;
import static io.ringport.core.ring.RingDescriptor.TAIL_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TYPE_OFFSET;
import static io.ringport.core.ring.RingDescriptor.alignedRecordLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link RingWriter} over one mapping of a ring file, read through a second mapping by a {@link RingReader}.
 */
@Timeout(30)
class RingWriterTest
{
    private static final int CAPACITY = RingFileDescriptor.MIN_CAPACITY;
    private static final int TYPE = 3;

    @TempDir
    Path home;

    private RingFile producerFile;
    private RingFile consumerFile;
    private RingWriter writer;
    private RingReader reader;
    private final List<Integer> received = new ArrayList<>();
    private final RecordHandler collect = (typeId, buffer, offset, length) -> received.add(buffer.getInt(offset));

    @BeforeEach
    void mapBothEnds() throws IOException
    {
        final byte[] token = RingFile.newToken();
        producerFile = RingFile.create(home, RingKind.S2C, CAPACITY, 1024, 1, token);
        consumerFile = RingFile.map(producerFile.path(), RingKind.S2C, token);
        writer = new RingWriter(producerFile.ring(), producerFile.path().toString());
        reader = new RingReader(consumerFile.ring(), consumerFile.path().toString());
    }

    @AfterEach
    void unmap()
    {
        consumerFile.close();
        producerFile.close();
    }

    @Test
    void aClaimedRecordIsInvisibleUntilCommitted()
    {
        final int index = writer.tryClaim(TYPE, 4);
        writer.buffer().putInt(index, 42);

        assertTrue(reader.isEmpty());
        assertEquals(0, reader.read(collect, 10));

        writer.commit();

        assertEquals(1, reader.read(collect, 10));
        assertEquals(List.of(42), received);
        assertEquals(alignedRecordLength(4), writer.producerPosition());
        assertEquals(alignedRecordLength(4), reader.consumerPosition());
    }

    @Test
    void anAbortedClaimPublishesNothingAndItsRoomIsClaimedAgain()
    {
        final int aborted = writer.tryClaim(TYPE, 100);
        writer.abort();

        assertEquals(0, writer.producerPosition());
        assertTrue(reader.isEmpty());
        assertEquals(aborted, writer.tryClaim(TYPE, 4));
        writer.buffer().putInt(aborted, 7);
        writer.commit();
        assertEquals(1, reader.read(collect, 10));
        assertEquals(List.of(7), received);
    }

    @Test
    void oneClaimAtATime()
    {
        writer.tryClaim(TYPE, 4);

        assertThrows(IllegalStateException.class, () -> writer.tryClaim(TYPE, 4));
        assertThrows(IllegalStateException.class, () -> writer.write(TYPE, writer.buffer(), 0, 4));
        writer.commit();
        assertThrows(IllegalStateException.class, writer::commit);
        assertThrows(IllegalStateException.class, writer::abort);
    }

    @Test
    void typesAndLengthsOutOfRangeAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(0, 4));
        assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(PADDING_TYPE_ID, 4));
        assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(TYPE, -1));
        assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(TYPE, writer.maxPayloadLength() + 1));
        assertEquals(0, writer.producerPosition());
    }

    @Test
    void aFullRingTakesNoMoreUntilTheReaderFreesRoom()
    {
        int written = 0;
        while (write(written))
        {
            written++;
        }

        assertEquals(CAPACITY / alignedRecordLength(4), written);
        assertEquals(RingWriter.INSUFFICIENT_CAPACITY, writer.tryClaim(TYPE, 4));

        assertEquals(1, reader.read(collect, 1));
        assertTrue(write(written));
        assertEquals(RingWriter.INSUFFICIENT_CAPACITY, writer.tryClaim(TYPE, 4));
    }

    @Test
    void aRecordThatDoesNotFitBeforeTheEndStartsAgainAtZeroAfterPadding()
    {
        final int nearEnd = CAPACITY - 16;
        producerFile.ring().putLong(CAPACITY + TAIL_POSITION_OFFSET, nearEnd);
        producerFile.ring().putLong(CAPACITY + HEAD_POSITION_OFFSET, nearEnd);
        final RingWriter wrapping = new RingWriter(producerFile.ring(), "wrapping");

        final int index = wrapping.tryClaim(TYPE, 24);
        wrapping.buffer().putInt(index, 99);
        wrapping.commit();

        final AtomicBuffer ring = producerFile.ring();
        assertEquals(HEADER_LENGTH, index);
        assertEquals(16, ring.getInt(nearEnd + LENGTH_OFFSET));
        assertEquals(PADDING_TYPE_ID, ring.getInt(nearEnd + TYPE_OFFSET));
        assertEquals(CAPACITY + alignedRecordLength(24), wrapping.producerPosition());
        assertEquals(1, reader.read(collect, 10));
        assertEquals(List.of(99), received);
        assertEquals(wrapping.producerPosition(), reader.consumerPosition());
    }

    @Test
    void aConsumerPositionAheadOfTheTailOrLapsBehindIsAProtocolViolation()
    {
        while (write(0))
        {
            // fill the ring, so the next claim has to look at the consumer's position
        }
        final long tail = writer.producerPosition();
        final AtomicBuffer ring = producerFile.ring();

        ring.putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, tail + 64);
        assertViolation(tail + 64, tail);

        ring.putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, tail - 2L * CAPACITY);
        assertViolation(tail - 2L * CAPACITY, tail);
    }

    private void assertViolation(final long head, final long tail)
    {
        final RingportException ex = assertThrows(RingportException.class, () -> writer.tryClaim(TYPE, 4));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring " + producerFile.path() + ": consumer position " + head +
            " is not within one ring behind the producer position " + tail, ex.getMessage());
    }

    private boolean write(final int value)
    {
        final int index = writer.tryClaim(TYPE, 4);
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            return false;
        }
        writer.buffer().putInt(index, value);
        writer.commit();
        return true;
    }
}
