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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringport.core.ring.RingDescriptor.ALIGNMENT;
import static io.ringport.core.ring.RingDescriptor.CLEAN_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.HEADER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.LENGTH_OFFSET;
import static io.ringport.core.ring.RingDescriptor.PADDING_TYPE_ID;
import static io.ringport.core.ring.RingDescriptor.TAIL_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TYPE_OFFSET;
import static io.ringport.core.ring.RingDescriptor.alignedRecordLength;
import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link RingWriter} over one mapping of a ring file and a {@link RingReader} over a second mapping of the same
 * file, as two processes map it. Corrupt rings are made by writing the producer's side of the
 * file by hand.
 */
@Timeout(30)
class RingTest
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
    private final List<Integer> values = new ArrayList<>();
    private final RecordHandler valuesOf = (typeId, buffer, offset, length) -> values.add(buffer.getInt(offset));

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
    void aRegionThatIsNotAPowerOfTwoRingAndItsTrailerIsRefusedByBothEnds()
    {
        // The ends index the ring's words without per-access checks, on the region's shape as checked here.
        final int trailer = RingDescriptor.TRAILER_LENGTH;
        for (final int length : new int[] {trailer + CAPACITY + 64, trailer, trailer - 64})
        {
            final UnsafeBuffer region = new UnsafeBuffer(new byte[length]);
            final IllegalArgumentException reader =
                assertThrows(IllegalArgumentException.class, () -> new RingReader(region, "odd"));
            assertTrue(reader.getMessage().contains("is not a power-of-two ring"), reader.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new RingWriter(region, "odd"));
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
    void aConcurrentWriterAndReaderAgreeOnEveryRecordOverManyLaps() throws Exception
    {
        final int records = 200_000;
        final Thread writer = new Thread(() ->
        {
            for (int seq = 0; seq < records && !Thread.currentThread().isInterrupted(); )
            {
                if (write(seq, lengthOf(seq)))
                {
                    seq++;
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }, "ring-writer");
        final long[] checked = new long[1];
        final RecordHandler check = (typeId, buffer, offset, length) ->
        {
            final int seq = (int)checked[0]++;
            assertEquals(lengthOf(seq), length, "length of record " + seq);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            assertArrayEquals(payload(seq, length), bytes, "record " + seq);
        };

        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        writer.setUncaughtExceptionHandler((thread, failure) -> writerFailure.set(failure));
        writer.start();
        try
        {
            // On this thread, so that nothing reads the ring after the test lets go of it, however the loop ends.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (checked[0] < records)
            {
                if (0 == reader.read(check, 64))
                {
                    checkStillGoing(writerFailure, deadline);
                    Thread.onSpinWait();
                }
            }
        }
        finally
        {
            stop(writer);
        }
        assertNull(writerFailure.get());
        assertTrue(reader.isEmpty());
        assertEquals(producer.producerPosition(), reader.consumerPosition());
    }

    /** End the other thread of a two-thread test, before the rings it uses are let go of. */
    static void stop(final Thread other) throws InterruptedException
    {
        // The test's own timeout may have interrupted this thread: wait for the other one all the same.
        final boolean interrupted = Thread.interrupted();
        other.interrupt();
        other.join(5_000);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        assertFalse(other.isAlive(), "thread " + other.getName() + " has ended");
    }

    /**
     * For a loop on the test thread that waits on another thread: stop when that thread failed, when the deadline
     * passed, or when the test's timeout interrupted this thread, rather than spin on.
     */
    static void checkStillGoing(final AtomicReference<Throwable> otherFailure, final long deadlineNs)
    {
        final Throwable failure = otherFailure.get();
        if (null != failure)
        {
            throw new AssertionError("the other thread failed", failure);
        }
        if (Thread.currentThread().isInterrupted() || System.nanoTime() - deadlineNs > 0)
        {
            throw new AssertionError("no progress before the deadline");
        }
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
        publishByHand(0, length, typeId);

        assertViolation(" at index 0 ");
        assertTrue(received.records.isEmpty());
    }

    @Test
    void recordLongerThanTheRecordLimitIsAProtocolViolation()
    {
        publishByHand(0, 1024, TYPE);

        assertViolation("record length 1024 at index 0 exceeds the ring's record limit " +
            (RingDescriptor.maxRecordPayload(CAPACITY) + RingDescriptor.HEADER_LENGTH));
    }

    @Test
    void aHeadPositionRewrittenByTheProducerDoesNotMakeTheReaderDeliverAgain()
    {
        write(0, 4);
        write(1, 4);
        assertEquals(2, reader.read(received, 10));

        producerFile.ring().putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, 0);

        assertEquals(0, reader.read(received, 10));
        assertTrue(reader.isEmpty());
        assertEquals(2, received.records.size());
    }

    @Test
    void aWriterRefusesATailThatIsNotARecordBoundary()
    {
        producerFile.ring().putLong(CAPACITY + TAIL_POSITION_OFFSET, 12);

        final RingportException ex = assertThrows(RingportException.class,
            () -> new RingWriter(producerFile.ring(), "taken over"));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring taken over: producer position 12 is not a record boundary", ex.getMessage());
    }

    @Test
    void aTailRewrittenByTheProducerDoesNotMatterToTheReader()
    {
        write(0, 4);
        producerFile.ring().putLongRelease(CAPACITY + TAIL_POSITION_OFFSET, 12);

        assertEquals(1, reader.read(received, 10));
        assertTrue(reader.isEmpty());
        received.assertRecord(0, 0, 4);
    }

    @ParameterizedTest(name = "head {0}, clean {1}")
    @CsvSource({
        "8, 16",      // clean ahead of the head
        "4104, 0",    // a head more than a ring ahead of the clean position
        "12, 0",      // a head that is not a record boundary
        "16, -16",    // a negative clean position
    })
    void aReaderRefusesConsumerPositionsThatAreNotAConsumers(final long head, final long clean)
    {
        final AtomicBuffer ring = consumerFile.ring();
        ring.putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, head);
        ring.putLongRelease(CAPACITY + CLEAN_POSITION_OFFSET, clean);

        final RingportException ex = assertThrows(RingportException.class, () -> new RingReader(ring, "taken over"));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring taken over: consumer position " + head + " and clean position " + clean +
            " are not a consumer's", ex.getMessage());
    }

    @Test
    void theReaderZeroesWhatItReadWhenItFindsNothingMoreAndPublishesHowFar()
    {
        for (int seq = 0; seq < 5; seq++)
        {
            writeInt(seq + 1);
        }
        final AtomicBuffer ring = producerFile.ring();
        final int read = 5 * alignedRecordLength(4);

        assertEquals(5, reader.read(valuesOf, 10));
        // Zeroing waits until the reader finds nothing more, after whatever its handlers sent.
        assertEquals(0, producer.cleanPosition());
        assertEquals(0, reader.read(valuesOf, 10));

        assertEquals(List.of(1, 2, 3, 4, 5), values);
        assertEquals(read, producer.cleanPosition());
        for (int index = 0; index < read; index += Long.BYTES)
        {
            assertEquals(0, ring.getLong(index), "index " + index);
        }
        assertEquals(read, producer.consumerPosition());
    }

    @Test
    void anAbortedClaimLeavesNothingThatALaterHeaderCouldLandOn()
    {
        final int aborted = producer.tryClaim(TYPE, 100);
        for (int i = 0; i < 100; i += Integer.BYTES)
        {
            producer.buffer().putInt(aborted + i, 0x5555_5555);
        }
        producer.abort();

        writeInt(1);
        assertEquals(1, reader.read(valuesOf, 10));
        // Where the next record goes the aborted claim had written: the reader must find nothing there.
        assertTrue(reader.isEmpty());
        assertEquals(0, reader.read(valuesOf, 10));
        writeInt(2);
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(1, 2), values);
    }

    @Test
    void aWriterTakingOverFromOneThatDiedInAClaimClearsWhatItHadWritten()
    {
        writeInt(1);
        final int dead = producer.tryClaim(TYPE, producer.maxPayloadLength());
        for (int i = 0; i < producer.maxPayloadLength(); i += Integer.BYTES)
        {
            producer.buffer().putInt(dead + i, 0x5555_5555);
        }
        final RingWriter successor = new RingWriter(producerFile.ring(), "successor");

        successor.clearUnpublished();

        for (int value = 2; value < 10; value++)
        {
            final int index = successor.tryClaim(TYPE, 4);
            successor.buffer().putInt(index, value);
            successor.commit();
        }
        assertEquals(9, reader.read(valuesOf, 100));
        assertTrue(reader.isEmpty());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), values);
    }

    @Test
    void unreadRecordsDiscardedByTheWriterAreNotReadByTheNextReader()
    {
        writeInt(1);
        writeInt(2);
        writeInt(3);
        assertEquals(1, reader.read(valuesOf, 1));
        // A departed reader that said it had zeroed everything up to the tail, and had not.
        final AtomicBuffer ring = consumerFile.ring();
        ring.putLongRelease(CAPACITY + CLEAN_POSITION_OFFSET, producer.producerPosition());

        producer.discardUnread();

        final RingReader next = new RingReader(ring, "next");
        assertTrue(next.isEmpty());
        assertEquals(producer.producerPosition(), next.consumerPosition());
        // Up to the lap: the next reader then looks where the discarded records were, which must be zero.
        final int toLap = (CAPACITY - 3 * alignedRecordLength(4)) / alignedRecordLength(4);
        for (int i = 0; i < toLap; i++)
        {
            assertTrue(writeInt(100 + i));
        }
        assertEquals(toLap, next.read(valuesOf, toLap + 10));
        assertTrue(next.isEmpty());
        assertEquals(CAPACITY, next.consumerPosition());
        assertEquals(1 + toLap, values.size());
        assertEquals(100, values.get(1));
    }

    @Test
    void aWriterTakingOverContinuesAfterRecordsTheReaderReadPastItsTail()
    {
        // A writer that published four records and died before any tail store; the reader read and zeroed them.
        final AtomicBuffer ring = producerFile.ring();
        final int lineRecords = CACHE_LINE_LENGTH / alignedRecordLength(4);
        for (int i = 0; i < lineRecords; i++)
        {
            ring.putInt(i * alignedRecordLength(4) + HEADER_LENGTH, i + 1);
            publishByHand(i * alignedRecordLength(4), HEADER_LENGTH + 4, TYPE);
        }
        assertEquals(lineRecords, reader.read(valuesOf, 10));
        assertTrue(reader.isEmpty());
        assertEquals(0, ring.getLongVolatile(CAPACITY + TAIL_POSITION_OFFSET));
        final RingWriter successor = new RingWriter(ring, "successor");

        successor.clearUnpublished();

        assertEquals(CACHE_LINE_LENGTH, successor.producerPosition());
        final int index = successor.tryClaim(TYPE, 4);
        successor.buffer().putInt(index, 9);
        successor.commit();
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(9, values.get(lineRecords));
    }

    @Test
    void aWriterTakingOverAfterAPaddedClaimOrAHalfDoneCommitContinuesAfterWhatWasPublished()
    {
        final int nearEnd = CAPACITY - 256;
        startAt(nearEnd);
        // Dies in a commit: the header is published, the tail word not moved.
        final int published = producer.tryClaim(TYPE, 4);
        producer.buffer().putInt(published, 1);
        producer.buffer().putLongRelease(published - HEADER_LENGTH, RingDescriptor.header(TYPE, HEADER_LENGTH + 4));
        assertEquals(nearEnd, producerFile.ring().getLongVolatile(CAPACITY + TAIL_POSITION_OFFSET));
        // Its successor claims a record that does not fit before the end (padding, published) and dies writing it.
        final RingWriter second = new RingWriter(producerFile.ring(), "second");
        second.clearUnpublished();
        final int dead = second.tryClaim(TYPE, second.maxPayloadLength());
        assertEquals(HEADER_LENGTH, dead);
        for (int i = 0; i < second.maxPayloadLength(); i += Integer.BYTES)
        {
            second.buffer().putInt(dead + i, 0x5555_5555);
        }
        final RingWriter third = new RingWriter(producerFile.ring(), "third");

        third.clearUnpublished();

        for (int value = 2; value < 6; value++)
        {
            final int index = third.tryClaim(TYPE, 4);
            third.buffer().putInt(index, value);
            third.commit();
        }
        assertEquals(5, reader.read(valuesOf, 100));
        assertTrue(reader.isEmpty());
        assertEquals(List.of(1, 2, 3, 4, 5), values);
        assertEquals(third.producerPosition(), reader.consumerPosition());
    }

    @Test
    void anAbortedClaimAfterPaddingKeepsThePaddingAndLeavesZeroes()
    {
        final int nearEnd = CAPACITY - ALIGNMENT;
        startAt(nearEnd);
        final int aborted = producer.tryClaim(TYPE, ALIGNMENT);
        producer.buffer().putLong(aborted, -1L);
        producer.buffer().putLong(aborted + 8, -1L);
        producer.abort();

        assertEquals(CAPACITY, producer.producerPosition());
        writeInt(7);
        assertEquals(1, reader.read(valuesOf, 10));
        assertTrue(reader.isEmpty());
        writeInt(8);
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(7, 8), values);
    }

    @Test
    void aHandlerThatThrowsConsumesItsRecordAndTheNextReadGoesOn()
    {
        for (int value = 1; value <= 3; value++)
        {
            writeInt(value);
        }
        final RecordHandler throwsOnTwo = (typeId, buffer, offset, length) ->
        {
            values.add(buffer.getInt(offset));
            if (2 == buffer.getInt(offset))
            {
                throw new IllegalStateException("handler");
            }
        };

        assertThrows(IllegalStateException.class, () -> reader.read(throwsOnTwo, 10));

        assertEquals(1, reader.read(throwsOnTwo, 10));
        assertTrue(reader.isEmpty());
        assertEquals(List.of(1, 2, 3), values);
    }

    @Test
    void aReadFromInsideItsOwnHandlerIsRefused()
    {
        writeInt(1);
        writeInt(2);
        final RecordHandler nested = (typeId, buffer, offset, length) -> reader.read(valuesOf, 10);

        assertThrows(IllegalStateException.class, () -> reader.read(nested, 10));

        assertTrue(values.isEmpty());
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(2), values);
    }

    @Test
    void aReaderAfterOneThatDiedBeforeZeroingALapDoesNotDeliverItAgain()
    {
        int written = 0;
        while (writeInt(written))
        {
            written++;
        }
        assertEquals(written, reader.read(valuesOf, written));
        // As a reader that stored its head and died before it zeroed anything.
        final AtomicBuffer ring = consumerFile.ring();
        ring.putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, CAPACITY);
        ring.putLongRelease(CAPACITY + CLEAN_POSITION_OFFSET, 0);
        ring.putLong(0, RingDescriptor.header(TYPE, HEADER_LENGTH + 4));

        final RingReader next = new RingReader(ring, "next");

        assertTrue(next.isEmpty());
        assertEquals(0, next.read(valuesOf, 10));
        assertEquals(CAPACITY, producer.cleanPosition());
    }

    @Test
    void corruptRecordAfterGoodOnesStopsTheReaderThere()
    {
        write(0, 4);
        write(1, 4);
        final int corruptIndex = (int)producer.producerPosition();
        publishByHand(corruptIndex, CAPACITY, TYPE);

        assertViolation("record length " + CAPACITY + " at index " + corruptIndex + " does not fit the ring");
        assertEquals(2, received.records.size());
        assertEquals(corruptIndex, reader.consumerPosition());

        // The corrupt record stays where it is: every further read fails the same way, none skips it.
        assertViolation("at index " + corruptIndex);
        assertEquals(2, received.records.size());
        assertEquals(corruptIndex, reader.consumerPosition());
    }

    @Test
    void aRecordThatRunsPastTheRoomTheProducerHadIsAProtocolViolation()
    {
        final int nearEnd = CAPACITY - CACHE_LINE_LENGTH;
        startAt(nearEnd);
        writeInt(1);
        // At index 0, a ring past the clean position less a line: a padding to the end would end a line past the room.
        publishByHand(CAPACITY, CAPACITY, PADDING_TYPE_ID);

        assertViolation("record length " + CAPACITY + " at index 0 runs past the room the producer had, a ring from " +
            "the clean position " + nearEnd);
        assertEquals(1, received.records.size());
    }

    @Test
    void recordThatWouldCrossTheEndOfTheRingIsAProtocolViolation()
    {
        final int index = CAPACITY - ALIGNMENT;
        producerFile.ring().putLong(CAPACITY + HEAD_POSITION_OFFSET, index);
        reader = new RingReader(consumerFile.ring(), consumerFile.path().toString());
        publishByHand(index, 2 * ALIGNMENT, TYPE);

        assertViolation("record length " + 2 * ALIGNMENT + " at index " + index + " does not fit the ring (capacity " +
            CAPACITY + ")");
    }

    @Test
    void aClaimedRecordIsInvisibleUntilCommitted()
    {
        final int index = producer.tryClaim(TYPE, 4);
        producer.buffer().putInt(index, 42);

        assertTrue(reader.isEmpty());
        assertEquals(0, reader.read(valuesOf, 10));

        producer.commit();

        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(42), values);
        assertEquals(alignedRecordLength(4), producer.producerPosition());
        assertEquals(alignedRecordLength(4), reader.consumerPosition());
    }

    @Test
    void anAbortedClaimPublishesNothingAndItsRoomIsClaimedAgain()
    {
        final int aborted = producer.tryClaim(TYPE, 100);
        producer.abort();

        assertEquals(0, producer.producerPosition());
        assertTrue(reader.isEmpty());
        assertEquals(aborted, producer.tryClaim(TYPE, 4));
        producer.buffer().putInt(aborted, 7);
        producer.commit();
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(7), values);
    }

    @Test
    void oneClaimAtATime()
    {
        producer.tryClaim(TYPE, 4);

        assertThrows(IllegalStateException.class, () -> producer.tryClaim(TYPE, 4));
        assertThrows(IllegalStateException.class, () -> producer.write(TYPE, producer.buffer(), 0, 4));
        producer.commit();
        assertThrows(IllegalStateException.class, producer::commit);
        assertThrows(IllegalStateException.class, producer::abort);
    }

    @Test
    void typesAndLengthsOutOfRangeAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> producer.tryClaim(0, 4));
        assertThrows(IllegalArgumentException.class, () -> producer.tryClaim(PADDING_TYPE_ID, 4));
        assertThrows(IllegalArgumentException.class, () -> producer.tryClaim(TYPE, -1));
        assertThrows(IllegalArgumentException.class, () -> producer.tryClaim(TYPE, producer.maxPayloadLength() + 1));
        assertEquals(0, producer.producerPosition());
    }

    @Test
    void aFullRingTakesNoMoreUntilTheReaderFreesRoom()
    {
        int written = 0;
        while (writeInt(written))
        {
            written++;
        }

        assertEquals(CAPACITY / alignedRecordLength(4), written);
        assertEquals(RingWriter.INSUFFICIENT_CAPACITY, producer.tryClaim(TYPE, 4));

        // A reader that keeps finding records zeroes what it read, and so frees room, a quarter of the ring at a time.
        final int quarter = CAPACITY / 4 / alignedRecordLength(4);
        assertEquals(quarter - 1, reader.read(valuesOf, quarter - 1));
        assertEquals(RingWriter.INSUFFICIENT_CAPACITY, producer.tryClaim(TYPE, 4));
        assertEquals(1, reader.read(valuesOf, 1));
        for (int i = 0; i < quarter; i++)
        {
            assertTrue(writeInt(written + i));
        }
        assertEquals(RingWriter.INSUFFICIENT_CAPACITY, producer.tryClaim(TYPE, 4));
    }

    @Test
    void aFullRingReadInOnePassDeliversEachRecordOnce()
    {
        int written = 0;
        while (writeInt(written))
        {
            written++;
        }
        assertEquals(CAPACITY, producer.producerPosition());

        // The pass ends a ring past the clean position, where the word is the first record's, read but not zeroed.
        assertEquals(written, reader.read(valuesOf, written + 10));

        assertEquals(written, values.size());
        assertEquals(written - 1, values.get(written - 1));
        assertTrue(reader.isEmpty());
    }

    @Test
    void aReaderThatFindsNothingMoreFreesTheRoomOfAllItRead()
    {
        for (int i = 0; i < 5; i++)
        {
            writeInt(i);
        }
        assertEquals(5, reader.read(valuesOf, 10));

        assertTrue(reader.isEmpty());

        // Records start lines, so no line of the ring holds both a read record and the next one.
        int written = 0;
        while (writeInt(written))
        {
            written++;
        }
        assertEquals(CAPACITY / alignedRecordLength(4), written);
    }

    @Test
    void aRecordThatDoesNotFitBeforeTheEndStartsAgainAtZeroAfterPadding()
    {
        final int nearEnd = CAPACITY - ALIGNMENT;
        producerFile.ring().putLong(CAPACITY + TAIL_POSITION_OFFSET, nearEnd);
        producerFile.ring().putLong(CAPACITY + HEAD_POSITION_OFFSET, nearEnd);
        producerFile.ring().putLong(CAPACITY + CLEAN_POSITION_OFFSET, nearEnd);
        final RingWriter wrapping = new RingWriter(producerFile.ring(), "wrapping");
        reader = new RingReader(consumerFile.ring(), consumerFile.path().toString());

        final int index = wrapping.tryClaim(TYPE, ALIGNMENT);
        wrapping.buffer().putInt(index, 99);
        wrapping.commit();

        final AtomicBuffer ring = producerFile.ring();
        assertEquals(HEADER_LENGTH, index);
        assertEquals(ALIGNMENT, ring.getInt(nearEnd + LENGTH_OFFSET));
        assertEquals(PADDING_TYPE_ID, ring.getInt(nearEnd + TYPE_OFFSET));
        assertEquals(CAPACITY + alignedRecordLength(ALIGNMENT), wrapping.producerPosition());
        assertEquals(1, reader.read(valuesOf, 10));
        assertEquals(List.of(99), values);
        assertEquals(wrapping.producerPosition(), reader.consumerPosition());
    }

    @Test
    void aCleanPositionAheadOfTheTailOrLapsBehindIsAProtocolViolation()
    {
        while (writeInt(0))
        {
            // fill the ring, so the next claim has to look at the consumer's position
        }
        final long tail = producer.producerPosition();
        final AtomicBuffer ring = producerFile.ring();

        ring.putLongRelease(CAPACITY + CLEAN_POSITION_OFFSET, tail + 64);
        assertClaimViolation(tail + 64, tail);

        ring.putLongRelease(CAPACITY + CLEAN_POSITION_OFFSET, tail - 2L * CAPACITY);
        assertClaimViolation(tail - 2L * CAPACITY, tail);
    }

    @Test
    void aConsumerPositionOutsideTheCleanPositionAndTheTailIsAProtocolViolation()
    {
        while (writeInt(0))
        {
            // fill the ring, so the next claim has to look at the consumer's positions
        }
        final long tail = producer.producerPosition();
        producerFile.ring().putLongRelease(CAPACITY + HEAD_POSITION_OFFSET, tail + 64);
        assertFalse(producer.consumerPositionsAreSound());

        final RingportException ex = assertThrows(RingportException.class, () -> producer.tryClaim(TYPE, 4));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring " + producerFile.path() + ": consumer position " + (tail + 64) +
            " is not between the clean position 0 and the producer position " + tail, ex.getMessage());
    }

    private void assertClaimViolation(final long head, final long tail)
    {
        final RingportException ex = assertThrows(RingportException.class, () -> producer.tryClaim(TYPE, 4));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring " + producerFile.path() + ": clean position " + head +
            " is not within one ring behind the producer position " + tail, ex.getMessage());
    }

    /** Both ends continue from a position, as after a ring's worth of traffic. */
    private void startAt(final long position)
    {
        final AtomicBuffer ring = producerFile.ring();
        ring.putLong(CAPACITY + TAIL_POSITION_OFFSET, position);
        ring.putLong(CAPACITY + HEAD_POSITION_OFFSET, position);
        ring.putLong(CAPACITY + CLEAN_POSITION_OFFSET, position);
        producer = new RingWriter(ring, producerFile.path().toString());
        reader = new RingReader(consumerFile.ring(), consumerFile.path().toString());
    }

    private boolean writeInt(final int value)
    {
        final int index = producer.tryClaim(TYPE, 4);
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            return false;
        }
        producer.buffer().putInt(index, value);
        producer.commit();
        return true;
    }

    private void assertViolation(final String reason)
    {
        final RingportException ex = assertTimeoutPreemptively(
            NO_LONGER_THAN, () -> assertThrows(RingportException.class, () -> reader.read(received, 100)));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().startsWith("ring " + consumerFile.path() + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    /** Publish one record header at a position, as a producer that breaks the format. */
    private void publishByHand(final long position, final int length, final int typeId)
    {
        final AtomicBuffer ring = producerFile.ring();
        final int index = (int)position & (CAPACITY - 1);
        ring.putLongRelease(index, RingDescriptor.header(typeId, length));
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
