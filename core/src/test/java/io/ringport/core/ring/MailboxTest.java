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

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringport.core.ring.RingDescriptor.MAILBOX_ACK_OFFSET;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_MAX_PAYLOAD;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_OFFSET;
import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two rings of a connection, each end a {@link RingWriter} paired with the {@link RingReader} of the other ring,
 * every ring mapped twice as two processes map it: small records go through the mailboxes while the consumer has
 * taken everything, and records arrive in the order sent whichever way each went.
 */
@Timeout(30)
class MailboxTest
{
    private static final int CAPACITY = RingFileDescriptor.MIN_CAPACITY;
    private static final int TYPE = 7;

    @TempDir
    Path home;

    private final List<RingFile> files = new ArrayList<>();
    private RingFile c2sProducer;
    private RingFile s2cProducer;
    private RingWriter clientOut;
    private RingReader clientIn;
    private RingWriter serviceOut;
    private RingReader serviceIn;
    private final List<Integer> atService = new ArrayList<>();
    private final List<Integer> atClient = new ArrayList<>();
    private final RecordHandler serviceGets = (typeId, buffer, offset, length) -> atService.add(check(buffer, offset,
        length));
    private final RecordHandler clientGets = (typeId, buffer, offset, length) -> atClient.add(check(buffer, offset,
        length));

    private final byte[] token = RingFile.newToken();

    @BeforeEach
    void mapBothEnds() throws IOException
    {
        c2sProducer = keep(RingFile.create(home, RingKind.C2S, CAPACITY, 1024, 1, token));
        s2cProducer = keep(RingFile.create(home, RingKind.S2C, CAPACITY, 1024, 1, token));
        final RingFile c2sConsumer = keep(RingFile.map(c2sProducer.path(), RingKind.C2S, token));
        final RingFile s2cConsumer = keep(RingFile.map(s2cProducer.path(), RingKind.S2C, token));
        clientOut = new RingWriter(c2sProducer.ring(), "c2s");
        clientIn = new RingReader(s2cConsumer.ring(), "s2c");
        serviceOut = new RingWriter(s2cProducer.ring(), "s2c");
        serviceIn = new RingReader(c2sConsumer.ring(), "c2s");
        clientOut.pairWith(clientIn);
        serviceOut.pairWith(serviceIn);
    }

    @AfterEach
    void unmap()
    {
        files.forEach(RingFile::close);
    }

    @Test
    void anExchangeOfSmallRecordsGoesThroughTheMailboxesAndLeavesTheRingsWhereTheyWere()
    {
        final RecordHandler echo = (typeId, buffer, offset, length) ->
        {
            atService.add(check(buffer, offset, length));
            assertTrue(serviceOut.write(TYPE, buffer, offset, length));
        };
        for (int seq = 0; seq < 1000; seq++)
        {
            assertTrue(clientOut.write(TYPE, payload(seq, 4 + seq % (MAILBOX_MAX_PAYLOAD - 3)), 0,
                4 + seq % (MAILBOX_MAX_PAYLOAD - 3)));
            assertEquals(1, serviceIn.read(echo, 10));
            assertEquals(1, clientIn.read(clientGets, 10));
        }

        assertEquals(sequence(1000), atService);
        assertEquals(sequence(1000), atClient);
        assertEquals(0, clientOut.producerPosition(), "the c2s ring was not written");
        assertEquals(0, serviceOut.producerPosition(), "the s2c ring was not written");
        assertEquals(1000, serviceIn.recordsTaken());
        assertEquals(1000, clientIn.recordsTaken());
    }

    @Test
    void recordsSentBeforeTheAcknowledgementGoToTheRingAndArriveAfterTheMailboxOne()
    {
        writeFromClient(0, 8);
        writeFromClient(1, 8);
        writeFromClient(2, 8);

        assertTrue(clientOut.producerPosition() > 0, "the second and third went to the ring");
        assertEquals(3, serviceIn.read(serviceGets, 10));
        assertEquals(List.of(0, 1, 2), atService);
    }

    @Test
    void aMailboxRecordSentWhileTheConsumerIsInAPassArrivesBeforeTheRingRecordSentAfterIt()
    {
        writeFromClient(0, 8);
        writeFromClient(1, 8);
        writeFromClient(2, 8);
        assertEquals(1, serviceIn.read(serviceGets, 1), "the mailbox record first");
        assertEquals(List.of(0), atService);
        final RecordHandler answerAndLetTheClientSendMore = (typeId, buffer, offset, length) ->
        {
            final int seq = check(buffer, offset, length);
            atService.add(seq);
            assertTrue(serviceOut.write(TYPE, payload(100 + seq, 8), 0, 8));
            if (2 == seq)
            {
                // The client has all the answers, so the service has taken all it sent: 3 goes to the mailbox, 4
                // to the ring after the record the service reads next.
                assertEquals(2, clientIn.read(clientGets, 10));
                final long tail = clientOut.producerPosition();
                writeFromClient(3, 8);
                assertEquals(tail, clientOut.producerPosition(), "3 went to the mailbox");
                writeFromClient(4, 8);
                assertTrue(clientOut.producerPosition() > tail, "4 went to the ring");
            }
        };

        assertEquals(4, serviceIn.read(answerAndLetTheClientSendMore, 10));
        assertEquals(List.of(0, 1, 2, 3, 4), atService);
    }

    @Test
    void aRecordLongerThanTheMailboxGoesToTheRing()
    {
        writeFromClient(0, MAILBOX_MAX_PAYLOAD + 1);
        assertTrue(clientOut.producerPosition() > 0);
        assertEquals(1, serviceIn.read(serviceGets, 10));

        // The service answers (with its count of 1), so the client may use the mailbox for one that fits.
        assertTrue(serviceOut.write(TYPE, payload(50, 8), 0, 8));
        assertEquals(1, clientIn.read(clientGets, 10));
        final long tail = clientOut.producerPosition();
        writeFromClient(1, MAILBOX_MAX_PAYLOAD);
        assertEquals(tail, clientOut.producerPosition());
        assertEquals(1, serviceIn.read(serviceGets, 10));
        assertEquals(List.of(0, 1), atService);
    }

    @Test
    void anExchangeOfRingRecordsOfChangingSizesKeepsEveryRecordWholeAndTheRoomAheadZero()
    {
        // Each writer, after a record the consumer will answer, stores into the lines of the next record as long as it
        // (zero over zero): records of changing sizes, laps round the ring and its end, the room ahead kept zero.
        final int[] sizes = {
            300, 100, RingDescriptor.maxRecordPayload(CAPACITY) - 16, 60, 200, 420, MAILBOX_MAX_PAYLOAD + 1};
        final RecordHandler echo = (typeId, buffer, offset, length) ->
        {
            final int seq = check(buffer, offset, length);
            atService.add(seq);
            final int answer = sizes[(seq + 3) % sizes.length];
            assertTrue(serviceOut.write(TYPE, payload(seq, answer), 0, answer));
        };
        for (int seq = 0; seq < 200; seq++)
        {
            writeFromClient(seq, sizes[seq % sizes.length]);
            assertRoomAheadZero(clientOut, c2sProducer);
            assertEquals(1, serviceIn.read(echo, 10));
            assertRoomAheadZero(serviceOut, s2cProducer);
            assertEquals(1, clientIn.read(clientGets, 10));
            assertEquals(0, clientIn.read(clientGets, 10));
            assertEquals(0, serviceIn.read(echo, 10));
        }
        assertEquals(sequence(200), atService);
        assertEquals(sequence(200), atClient);
        assertTrue(clientOut.producerPosition() > 4L * CAPACITY, "the records went round the ring");
    }

    @Test
    void everyRecordCarriesTheCountOfRecordsTakenTheOtherWay()
    {
        writeFromClient(0, 100);
        writeFromClient(1, 100);
        assertEquals(2, serviceIn.read(serviceGets, 10));
        assertTrue(serviceOut.write(TYPE, payload(9, 100), 0, 100));

        assertEquals(1, clientIn.read(clientGets, 10));
        assertEquals(2, clientIn.peerAcknowledgement());
    }

    @Test
    void anUnpairedWriterNeverUsesTheMailbox()
    {
        final RingWriter unpaired = new RingWriter(s2cProducer.ring(), "s2c");
        assertTrue(unpaired.write(TYPE, payload(0, 8), 0, 8));
        assertTrue(unpaired.producerPosition() > 0);
        assertEquals(0, s2cProducer.ring().getLongVolatile(CAPACITY + MAILBOX_OFFSET));
    }

    @Test
    void anAbortedMailboxClaimDeliversNothingAndTheNextClaimTakesTheMailbox()
    {
        final int index = clientOut.tryClaim(TYPE, 8);
        clientOut.buffer().putInt(index, 66);
        clientOut.abort();
        assertTrue(serviceIn.isEmpty());
        assertEquals(0, serviceIn.read(serviceGets, 10));

        assertEquals(index, clientOut.tryClaim(TYPE, 8), "the mailbox again");
        clientOut.buffer().putBytes(index, payload(0, 8), 0, 8);
        clientOut.commit();
        assertFalse(serviceIn.isEmpty());
        assertEquals(1, serviceIn.read(serviceGets, 10));
        assertEquals(List.of(0), atService);
        assertEquals(0, clientOut.producerPosition());
    }

    @Test
    void aHandlerReadsItsMailboxRecordInPlaceWhileTheProducerWritesTheNextTwo()
    {
        writeFromClient(0, 40);
        final RecordHandler answerThenReadAgain = (typeId, buffer, offset, length) ->
        {
            if (atService.isEmpty())
            {
                assertEquals(CAPACITY + MAILBOX_OFFSET + RingDescriptor.MAILBOX_PAYLOAD_OFFSET, offset, "in place");
                assertTrue(serviceOut.write(TYPE, payload(100, 8), 0, 8));
                assertEquals(1, clientIn.read(clientGets, 10));
                // 1 goes to the other mailbox line; 2, whose line is this one, waits in the ring until 1 is taken.
                writeFromClient(1, 40);
                assertEquals(0, clientOut.producerPosition(), "1 went to the mailbox");
                writeFromClient(2, 40);
                assertTrue(clientOut.producerPosition() > 0, "2 went to the ring");
            }
            atService.add(check(buffer, offset, length));
        };

        assertEquals(3, serviceIn.read(answerThenReadAgain, 10));
        assertEquals(List.of(0, 1, 2), atService);
    }

    @Test
    void recordsTakeTheTwoMailboxLinesInTurn()
    {
        final RecordHandler echo = (typeId, buffer, offset, length) ->
        {
            assertEquals(CAPACITY + RingDescriptor.mailboxLineOffset(atService.size()) +
                RingDescriptor.MAILBOX_PAYLOAD_OFFSET, offset);
            atService.add(check(buffer, offset, length));
            assertTrue(serviceOut.write(TYPE, buffer, offset, length));
        };
        for (int seq = 0; seq < 4; seq++)
        {
            writeFromClient(seq, 8);
            assertEquals(1, serviceIn.read(echo, 10));
            assertEquals(1, clientIn.read(clientGets, 10));
        }
        assertEquals(List.of(0, 1, 2, 3), atService);
        assertTrue(RingDescriptor.mailboxLineOffset(1) - MAILBOX_OFFSET >= 2 * CACHE_LINE_LENGTH,
            "the lines are not neighbours");
    }

    @Test
    void aWriterMadeOverARingWrittenBeforeNumbersItsMailboxRecordsOn()
    {
        // A service instance that sent a greeting through the mailbox and died; the next one maps the same ring.
        assertTrue(serviceOut.write(TYPE, payload(0, 8), 0, 8));
        assertEquals(1, clientIn.read(clientGets, 10));
        final RingFile s2cAgain = keep(RingFile.map(s2cProducer.path(), RingKind.S2C, token));
        final RingWriter next = new RingWriter(s2cAgain.ring(), "s2c");
        next.pairWith(serviceIn);
        // The client's next record acknowledges the greeting.
        writeFromClient(0, 8);
        assertEquals(1, serviceIn.read(serviceGets, 10));

        assertTrue(next.write(TYPE, payload(1, 8), 0, 8));
        assertEquals(0, next.producerPosition(), "through the mailbox");
        assertEquals(1, clientIn.read(clientGets, 10));
        assertEquals(List.of(0, 1), atClient);
    }

    @Test
    void aReaderMadeOverARingReadBeforeTakesNoMailboxRecordAgain()
    {
        writeFromClient(0, 8);
        assertEquals(1, serviceIn.read(serviceGets, 10));
        final RingFile c2sAgain = keep(RingFile.map(c2sProducer.path(), RingKind.C2S, token));
        final RingReader next = new RingReader(c2sAgain.ring(), "c2s");
        assertTrue(next.isEmpty());
        assertEquals(1, next.recordsTaken());

        // Its acknowledgement of 1 lets the client use the mailbox again, and it takes that record.
        final RingWriter answer = new RingWriter(s2cProducer.ring(), "s2c");
        answer.pairWith(next);
        assertTrue(answer.write(TYPE, payload(50, 8), 0, 8));
        assertEquals(1, clientIn.read(clientGets, 10));
        writeFromClient(1, 8);
        assertEquals(0, clientOut.producerPosition());
        assertEquals(1, next.read(serviceGets, 10));
        assertEquals(List.of(0, 1), atService);
    }

    @Test
    void aReaderRefusesAMailboxRecordNumberedPastWhatItsPredecessorTook()
    {
        // A reader that took records 0 and 1 and died before it stored its count, after the producer sent 3.
        final AtomicBuffer c2s = c2sProducer.ring();
        c2s.putLongRelease(CAPACITY + RingDescriptor.mailboxLineOffset(3), RingDescriptor.mailboxWord(3, TYPE, 8));
        c2s.putLongRelease(CAPACITY + RingDescriptor.TAKEN_COUNT_OFFSET, 1);

        final RingFile c2sAgain = keep(RingFile.map(c2sProducer.path(), RingKind.C2S, token));
        final RingportException ex = assertThrows(RingportException.class,
            () -> new RingReader(c2sAgain.ring(), "c2s"));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring c2s: the mailbox holds record 3, past the 1 records the reader before this one took: " +
            "its last pass did not end", ex.getMessage());
    }

    @Test
    void aPairedWriterClearsTheMailboxLinesTakenOnceEveryManyRecords()
    {
        // Counts just short of a check, as after a long stream: the next records reach it.
        final long start = RingWriter.STALE_MAILBOX_CHECK_MASK + 1 - 3;
        final AtomicBuffer c2s = c2sProducer.ring();
        c2s.putLongRelease(CAPACITY + RingDescriptor.SENT_COUNT_OFFSET, start);
        c2s.putLongRelease(CAPACITY + RingDescriptor.TAKEN_COUNT_OFFSET, start);
        final RingWriter out = new RingWriter(c2sProducer.ring(), "c2s");
        out.pairWith(clientIn);
        final RingFile c2sAgain = keep(RingFile.map(c2sProducer.path(), RingKind.C2S, token));
        final RingReader in = new RingReader(c2sAgain.ring(), "c2s");
        serviceOut.pairWith(in);
        final RecordHandler answer = (typeId, buffer, offset, length) ->
        {
            atService.add(check(buffer, offset, length));
            assertTrue(serviceOut.write(TYPE, payload(100, 8), 0, 8));
        };
        // The service's count so far, as its answers would have carried it.
        for (int seq = 0; seq < 2; seq++)
        {
            if (0 == seq)
            {
                assertTrue(serviceOut.write(TYPE, payload(99, 8), 0, 8));
                clientIn.read(clientGets, 10);
            }
            assertTrue(out.write(TYPE, payload(seq, 8), 0, 8));
            assertEquals(0, out.producerPosition(), "record " + seq + " through the mailbox");
            assertEquals(1, in.read(answer, 10));
            assertEquals(1, clientIn.read(clientGets, 10));
        }
        final int older = CAPACITY + RingDescriptor.mailboxLineOffset(start);
        final int newer = CAPACITY + RingDescriptor.mailboxLineOffset(start + 1);
        assertTrue(0 != c2s.getLongVolatile(older) && 0 != c2s.getLongVolatile(newer));

        // The third record, long, goes to the ring and is the check's: the older line is free (the record after
        // it was taken), the newer one may still be read in place.
        assertTrue(out.write(TYPE, payload(2, 100), 0, 100));
        assertEquals(0, c2s.getLongVolatile(older));
        assertTrue(0 != c2s.getLongVolatile(newer));
        assertEquals(1, in.read(answer, 10));
        assertEquals(List.of(0, 1, 2), atService);
    }

    @Test
    void mailboxNumbersCompareAcrossTheirFortyEightBitWrap()
    {
        final long wrap = RingDescriptor.MAILBOX_SEQUENCE_MASK + 1;
        assertTrue(RingDescriptor.isMailboxTurn(RingDescriptor.mailboxWord(wrap + 5, TYPE, 8), 5));
        assertEquals(1, RingDescriptor.mailboxNumberAhead(RingDescriptor.mailboxWord(0, TYPE, 8), wrap - 1));
        assertEquals(-2, RingDescriptor.mailboxNumberAhead(RingDescriptor.mailboxWord(wrap - 1, TYPE, 8), wrap + 1));
        assertEquals(TYPE, RingDescriptor.mailboxType(RingDescriptor.mailboxWord(3, TYPE, 48)));
        assertEquals(48, RingDescriptor.mailboxLength(RingDescriptor.mailboxWord(3, TYPE, 48)));
    }

    @Test
    void aHandlerThatThrowsOnAMailboxRecordConsumesIt()
    {
        writeFromClient(0, 8);
        final RecordHandler throwing = (typeId, buffer, offset, length) ->
        {
            throw new IllegalStateException("handler failed");
        };
        assertThrows(IllegalStateException.class, () -> serviceIn.read(throwing, 10));

        assertTrue(serviceIn.isEmpty());
        assertEquals(1, serviceIn.recordsTaken());
    }

    @Test
    void discardingUnreadRecordsClearsTheMailboxAndCountsThemTaken()
    {
        writeFromClient(0, 8);
        writeFromClient(1, 8);
        // A writer that takes the ring over continues the client's count of 2, one in the mailbox, one in the ring.
        new RingWriter(c2sProducer.ring(), "c2s").discardUnread();

        final RingFile c2sAgain = keep(RingFile.map(c2sProducer.path(), RingKind.C2S, token));
        final RingReader next = new RingReader(c2sAgain.ring(), "c2s");
        assertEquals(2, next.recordsTaken());
        assertTrue(next.isEmpty());
        assertEquals(0, next.read(serviceGets, 10));
        assertEquals(0, c2sProducer.ring().getLongVolatile(CAPACITY + MAILBOX_OFFSET));
    }

    @Test
    void anAcknowledgementAboveWhatWasSentIsAProtocolViolation()
    {
        final AtomicBuffer s2c = s2cProducer.ring();
        s2c.putBytes(CAPACITY + RingDescriptor.MAILBOX_PAYLOAD_OFFSET + MAILBOX_OFFSET, payload(0, 8), 0, 8);
        s2c.putLong(CAPACITY + MAILBOX_OFFSET + MAILBOX_ACK_OFFSET, 5);
        s2c.putLongRelease(CAPACITY + MAILBOX_OFFSET, RingDescriptor.mailboxWord(0, TYPE, 8));
        assertEquals(1, clientIn.read(clientGets, 10));

        final RingportException ex = assertThrows(RingportException.class, () -> clientOut.tryClaim(TYPE, 8));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("ring c2s: the consumer acknowledges 5 records, more than the 0 sent", ex.getMessage());
    }

    @Test
    void aMailboxWordThatIsNotARecordIsAProtocolViolation()
    {
        final AtomicBuffer s2c = s2cProducer.ring();
        s2c.putLongRelease(CAPACITY + MAILBOX_OFFSET, RingDescriptor.mailboxWord(0, 0, 8));
        assertMailboxViolation("mailbox record type 0 with 8 bytes is not valid");

        s2c.putLongRelease(CAPACITY + MAILBOX_OFFSET, RingDescriptor.mailboxWord(0, TYPE, MAILBOX_MAX_PAYLOAD + 1));
        assertMailboxViolation("mailbox record type " + TYPE + " with " + (MAILBOX_MAX_PAYLOAD + 1) +
            " bytes is not valid");
    }

    @Test
    void aMailboxWordOfAnotherSequenceNumberIsNotTaken()
    {
        final AtomicBuffer s2c = s2cProducer.ring();
        s2c.putLongRelease(CAPACITY + MAILBOX_OFFSET, RingDescriptor.mailboxWord(1, TYPE, 8));

        assertTrue(clientIn.isEmpty());
        assertEquals(0, clientIn.read(clientGets, 10));
    }

    @Test
    void twoThreadsExchangingBurstsOfMixedSizesGetEveryRecordInOrder() throws Exception
    {
        // Enough for every mix of lanes and sizes many times over, few enough for a machine whose two cores are also
        // running other processes: beside two busy ones 100,000 took 7.5 s, beside four more than the deadline (the
        // waits spin, which beats yielding there: 20,000 that yielded took longer than the deadline beside two).
        final int records = 20_000;
        final Thread service = new Thread(() ->
        {
            final RecordHandler echo = (typeId, buffer, offset, length) ->
            {
                final int seq = check(buffer, offset, length);
                while (!serviceOut.write(TYPE, buffer, offset, length))
                {
                    if (Thread.currentThread().isInterrupted())
                    {
                        throw new IllegalStateException("interrupted while the client read nothing");
                    }
                    Thread.onSpinWait();
                }
                // Still intact after the answer, which lets the client write the mailbox again.
                assertEquals(seq, check(buffer, offset, length));
                atService.add(seq);
            };
            while (atService.size() < records && !Thread.currentThread().isInterrupted())
            {
                if (0 == serviceIn.read(echo, 16))
                {
                    Thread.onSpinWait();
                }
            }
        }, "service");
        final long[] throughMailbox = new long[1];
        final AtomicReference<Throwable> serviceFailure = new AtomicReference<>();
        service.setUncaughtExceptionHandler((thread, failure) -> serviceFailure.set(failure));
        service.start();
        try
        {
            // On this thread, so that nothing reads the rings after the test lets go of them, however the loop ends.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            int sent = 0;
            while (sent < records)
            {
                // Bursts of one to three, some too long for the mailbox: both lanes, in every order.
                final int burst = Math.min(records - sent, 1 + random.nextInt(3));
                for (int i = 0; i < burst; i++, sent++)
                {
                    final int length = 4 + random.nextInt(random.nextBoolean() ? MAILBOX_MAX_PAYLOAD - 3 : 120);
                    final long tail = clientOut.producerPosition();
                    while (!clientOut.write(TYPE, payload(sent, length), 0, length))
                    {
                        RingTest.checkStillGoing(serviceFailure, deadline);
                        clientIn.read(clientGets, 16);
                    }
                    throughMailbox[0] += tail == clientOut.producerPosition() ? 1 : 0;
                }
                while (atClient.size() < sent)
                {
                    if (0 == clientIn.read(clientGets, 16))
                    {
                        RingTest.checkStillGoing(serviceFailure, deadline);
                        Thread.onSpinWait();
                    }
                }
            }
        }
        finally
        {
            RingTest.stop(service);
        }
        assertNull(serviceFailure.get());
        assertEquals(sequence(records), atClient);
        assertTrue(throughMailbox[0] > 0 && throughMailbox[0] < records, throughMailbox[0] + " of " + records +
            " went through the mailbox");
    }

    private void assertMailboxViolation(final String reason)
    {
        final RingportException ex = assertThrows(RingportException.class, () -> clientIn.read(clientGets, 10));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().startsWith("ring s2c: " + reason), ex.getMessage());
    }

    private void writeFromClient(final int seq, final int length)
    {
        assertTrue(clientOut.write(TYPE, payload(seq, length), 0, length));
    }

    /** Every byte a writer may write next, from its tail to a ring past the consumer's clean position, is zero. */
    private static void assertRoomAheadZero(final RingWriter writer, final RingFile file)
    {
        final AtomicBuffer ring = file.ring();
        final long tail = writer.producerPosition();
        for (long position = tail; position < writer.cleanPosition() + CAPACITY; position += Long.BYTES)
        {
            assertEquals(0L, ring.getLong((int)position & (CAPACITY - 1)), "ring word at " + position + ", tail " +
                tail);
        }
    }

    private RingFile keep(final RingFile file)
    {
        files.add(file);
        return file;
    }

    private static List<Integer> sequence(final int count)
    {
        final List<Integer> expected = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            expected.add(i);
        }
        return expected;
    }

    /** A sequence number followed by bytes derived from it, so that a torn or misplaced record shows. */
    private static UnsafeBuffer payload(final int seq, final int length)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[length]);
        bytes.putInt(0, seq);
        for (int i = 4; i < length; i++)
        {
            bytes.putByte(i, (byte)(seq + i + length));
        }
        return bytes;
    }

    /** The sequence number of a payload, after checking every byte after it (which say its length too). */
    private static int check(final AtomicBuffer buffer, final int offset, final int length)
    {
        final int seq = buffer.getInt(offset);
        for (int i = 4; i < length; i++)
        {
            assertEquals((byte)(seq + i + length), buffer.getByte(offset + i), "byte " + i + " of record " + seq +
                ", " + length + " bytes");
        }
        return seq;
    }
}
