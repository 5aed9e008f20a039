package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.LENGTH_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TAIL_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TYPE_OFFSET;
import static io.ringport.core.ring.RingDescriptor.alignedRecordLength;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer is a {@link RingWriter} over one mapping of a ring file; the {@link RingReader} reads a second
 * mapping of the same file, as a peer process would. Corrupt rings are made by writing the producer's side of the
 * file by hand.
 */
@Timeout(30)
class RingReaderTest
{
    private static final int CAPACITY = RingFileDescriptor.MIN_CAPACITY;
    private static final int TYPE = 7;
    private static final Duration NO_LONGER_THAN = Duration.ofSeconds(5);

    @TempDir
    Path home;

    private RingFile producerFile;
    private RingFile consumerFile;
    private RingWriter producer;
    private RingReader reader;
    private final Received received = new Received();

    @BeforeEach
    void mapBothEnds() throws IOException
    {
        final byte[] token = RingFile.newToken();
        producerFile = RingFile.create(home, RingKind.C2S, CAPACITY, 1024, 1, token);
        consumerFile = RingFile.map(producerFile.path(), RingKind.C2S, token);
        producer = new RingWriter(producerFile.ring(), producerFile.path().toString());
        reader = new RingReader(consumerFile.ring(), consumerFile.path().toString());
    }

    @AfterEach
    void unmap()
    {
        consumerFile.close();
        producerFile.close();
    }

    @Test
    void readsRecordsInOrderWithTheirContent()
    {
        for (int seq = 0; seq < 10; seq++)
        {
            assertTrue(write(seq, 4 + seq * 10));
        }

        assertEquals(10, reader.read(received, 100));

        assertEquals(10, received.records.size());
        for (int seq = 0; seq < 10; seq++)
        {
            received.assertRecord(seq, seq, 4 + seq * 10);
        }
    }

    @Test
    void readsTheLongestRecordTheProducerTakes()
    {
        final int longest = producer.maxPayloadLength();
        assertEquals(RingDescriptor.maxRecordPayload(CAPACITY), longest);

        assertTrue(write(0, longest));

        assertEquals(1, reader.read(received, 1));
        received.assertRecord(0, 0, longest);
    }

    @Test
    void wrapsAroundManyLapsSkippingPadding()
    {
        final long laps = 50;
        int written = 0;
        long recordBytes = 0;
        while (reader.consumerPosition() < laps * CAPACITY)
        {
            while (write(written, lengthOf(written)))
            {
                written++;
            }
            while (!reader.isEmpty())
            {
                reader.read(received, Integer.MAX_VALUE);
            }
        }

        assertEquals(written, received.records.size());
        for (int seq = 0; seq < written; seq++)
        {
            received.assertRecord(seq, seq, lengthOf(seq));
            recordBytes += alignedRecordLength(lengthOf(seq));
        }
        assertTrue(reader.consumerPosition() > recordBytes, "padding at the end of the ring was consumed");
        assertEquals(producer.producerPosition(), reader.consumerPosition());
    }

    @Test
    void readStopsAtTheLimit()
    {
        for (int seq = 0; seq < 5; seq++)
        {
            write(seq, 8);
        }

        assertEquals(2, reader.read(received, 2));
        assertEquals(2, reader.read(received, 2));
        assertEquals(1, reader.read(received, 2));
        assertEquals(0, reader.read(received, 2));

        assertEquals(5, received.records.size());
        received.assertRecord(4, 4, 8);
    }

    @Test
    void consumerPositionAdvancesByAlignedRecordsAndIsSeenByTheProducer()
    {
        write(0, 5);
        write(1, 20);
        assertEquals(0, reader.consumerPosition());

        reader.read(received, 10);

        assertEquals(alignedRecordLength(5) + alignedRecordLength(20), reader.consumerPosition());
        assertEquals(reader.consumerPosition(), producer.consumerPosition());
    }

    @Test
    void isEmptyUntilWrittenAndAfterRead()
    {
        assertTrue(reader.isEmpty());
        assertEquals(0, reader.read(received, 10));

        write(0, 4);
        assertFalse(reader.isEmpty());

        reader.read(received, 10);
        assertTrue(reader.isEmpty());
    }

    @ParameterizedTest(name = "length {0}, type {1}")
    @CsvSource({
        "8200, 7",   // longer than the ring
        "4096, 7",   // fits the ring, longer than any record the producer may write
        "4, 7",      // shorter than a record header
        "4, -1",     // padding shorter than a record header
        "16, -7",    // negative type
        "16, 0",     // type zero
    })
    void corruptRecordHeaderIsAProtocolViolation(final int length, final int typeId)
    {
        publishByHand(0, length, typeId, 16);

        assertViolation(" at index 0 ");
        assertTrue(received.records.isEmpty());
    }

    @Test
    void recordLongerThanTheRecordLimitIsAProtocolViolation()
    {
        publishByHand(0, 1024, TYPE, 1024);

        assertViolation("record length 1024 at index 0 exceeds the ring's record limit " +
            (RingDescriptor.maxRecordPayload(CAPACITY) + RingDescriptor.HEADER_LENGTH));
    }

    @ParameterizedTest(name = "tail {0}")
    @CsvSource({
        "-8",     // behind the head
        "4104",   // more than one ring ahead
        "12",     // not a record boundary
    })
    void corruptTailPositionIsAProtocolViolation(final long tail)
    {
        producerFile.ring().putLongRelease(CAPACITY + TAIL_POSITION_OFFSET, tail);

        assertViolation("producer position " + tail + " is not within one ring ahead of the consumer position 0");
        assertEquals(0, reader.consumerPosition());
    }

    @Test
    void corruptRecordAfterGoodOnesStopsTheReaderThere()
    {
        write(0, 4);
        write(1, 4);
        final int corruptIndex = (int)producer.producerPosition();
        publishByHand(corruptIndex, CAPACITY, TYPE, 16);

        assertViolation("record length " + CAPACITY + " at index " + corruptIndex + " does not fit the ring");
        assertEquals(2, received.records.size());
        assertEquals(corruptIndex, reader.consumerPosition());

        // The corrupt record stays where it is: every further read fails the same way, none skips it.
        assertViolation("at index " + corruptIndex);
        assertEquals(2, received.records.size());
        assertEquals(corruptIndex, reader.consumerPosition());
    }

    @Test
    void recordThatWouldCrossTheEndOfTheRingIsAProtocolViolation()
    {
        final int index = CAPACITY - 16;
        producerFile.ring().putLong(CAPACITY + HEAD_POSITION_OFFSET, index);
        publishByHand(index, 32, TYPE, 32);

        assertViolation("record length 32 at index " + index + " does not fit the ring (capacity " + CAPACITY + ")");
    }

    private void assertViolation(final String reason)
    {
        final RingportException ex = assertTimeoutPreemptively(
            NO_LONGER_THAN, () -> assertThrows(RingportException.class, () -> reader.read(received, 100)));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().startsWith("ring " + consumerFile.path() + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    /** Write one record header at a position and move the tail past it, as a producer that breaks the format. */
    private void publishByHand(final long position, final int length, final int typeId, final int advance)
    {
        final AtomicBuffer ring = producerFile.ring();
        final int index = (int)position & (CAPACITY - 1);
        ring.putInt(index + LENGTH_OFFSET, length);
        ring.putInt(index + TYPE_OFFSET, typeId);
        ring.putLongRelease(CAPACITY + TAIL_POSITION_OFFSET, position + advance);
    }

    /** Payload lengths that do not divide the capacity, so the producer has to pad at the end of the ring. */
    private static int lengthOf(final int seq)
    {
        return 4 + (seq * 37) % 300;
    }

    private boolean write(final int seq, final int length)
    {
        return producer.write(TYPE, new UnsafeBuffer(payload(seq, length)), 0, length);
    }

    /** A sequence number followed by bytes derived from it. */
    private static byte[] payload(final int seq, final int length)
    {
        final byte[] bytes = new byte[length];
        new UnsafeBuffer(bytes).putInt(0, seq);
        for (int i = 4; i < length; i++)
        {
            bytes[i] = (byte)(seq + i);
        }
        return bytes;
    }

    private static final class Received implements RecordHandler
    {
        private final List<byte[]> records = new ArrayList<>();

        public void onRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
        {
            assertEquals(TYPE, typeId);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            records.add(bytes);
        }

        void assertRecord(final int index, final int seq, final int length)
        {
            assertArrayEquals(payload(seq, length), records.get(index), "record " + index);
        }
    }
}
