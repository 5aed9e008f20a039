package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingWriter;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message framing over a real pair of mapped ring files: one endpoint writes, the other, over its own mappings of
 * the same files, reads.
 */
class EndpointTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    private final List<RingFile> files = new ArrayList<>();
    private final List<byte[]> received = new ArrayList<>();
    private Endpoint writer;
    private Endpoint reader;

    @AfterEach
    void unmap()
    {
        files.forEach(RingFile::close);
    }

    private void connect(final int capacity, final int maxMessageLength) throws Exception
    {
        final byte[] token = RingFile.newToken();
        final RingFile c2s = keep(RingFile.create(dir, RingKind.C2S, capacity, maxMessageLength, 7, token));
        final RingFile s2c = keep(RingFile.create(dir, RingKind.S2C, capacity, maxMessageLength, 7, token));
        writer = new Endpoint(7, "writer", c2s, s2c, sink());
        reader = new Endpoint(7, "reader", keep(RingFile.map(s2c.path(), RingKind.S2C, token)),
            keep(RingFile.map(c2s.path(), RingKind.C2S, token)), sink());
    }

    private RingFile keep(final RingFile file)
    {
        files.add(file);
        return file;
    }

    private Endpoint.Sink sink()
    {
        return new Endpoint.Sink()
        {
            public void onMessage(final Message message)
            {
                received.add(message.toByteArray());
            }

            public void onPeerClosed(final Endpoint endpoint)
            {
                received.add(null);
            }
        };
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + (i >> 8));
        }
        return bytes;
    }

    private long producerPosition()
    {
        final RingFile c2s = files.get(0);
        return c2s.ring().getLongVolatile(c2s.capacity() + RingDescriptor.TAIL_POSITION_OFFSET);
    }

    @Test
    void aReaderThatStopsPollingGivesTheRoomOfWhatItReadBackWhenAsked() throws Exception
    {
        connect(64 * 1024, 1024);
        final UnsafeBuffer message = new UnsafeBuffer(pattern(40));
        for (int i = 0; i < 8; i++)
        {
            assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, message, 0, 40));
        }
        final RingFile c2s = files.get(0);
        final int cleanIndex = c2s.capacity() + RingDescriptor.CLEAN_POSITION_OFFSET;

        assertEquals(8, reader.poll(100));
        // The pass ended where the ring ran dry; zeroing waits for the next look, which an invoker may not make soon.
        assertEquals(0, c2s.ring().getLongVolatile(cleanIndex));

        reader.releaseReadRoom();

        assertEquals(producerPosition(), c2s.ring().getLongVolatile(cleanIndex));
        assertEquals(8, received.size());
    }

    @Test
    void aMessageLongerThanOneRecordIsFragmentedAndReassembled() throws Exception
    {
        connect(4 * 1024 * 1024, 16 * 1024 * 1024);
        final byte[] big = pattern(1024 * 1024 + 13);
        assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(big), 0, big.length));
        assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(pattern(5)), 0, 5));
        while (received.size() < 2)
        {
            reader.poll(16);
        }
        assertArrayEquals(big, received.get(0));
        assertArrayEquals(pattern(5), received.get(1));
    }

    @Test
    void sendStreamsAMessageMuchLargerThanTheRingToAConcurrentReader() throws Exception
    {
        connect(64 * 1024, 16 * 1024 * 1024);
        final byte[] huge = pattern(8 * 1024 * 1024);
        final CompletableFuture<Void> reading = CompletableFuture.runAsync(() ->
        {
            final long deadline = System.nanoTime() + 60 * SECOND;
            while (received.isEmpty() && System.nanoTime() < deadline)
            {
                reader.poll(64);
            }
        });
        writer.send(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(huge), 0, huge.length, 60 * SECOND,
            new BusySpinIdleStrategy());
        reading.get(60, TimeUnit.SECONDS);
        assertArrayEquals(huge, received.get(0));
    }

    @Test
    void beyondTheMaxMessageLengthNothingIsWritten() throws Exception
    {
        connect(64 * 1024, 100_000);
        final long before = producerPosition();
        final RingportException ex = assertThrows(RingportException.class,
            () -> writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(new byte[100_001]), 0, 100_001));
        assertEquals(ErrorCode.MESSAGE_TOO_LONG, ex.code());
        assertEquals("message of 100001 bytes to writer exceeds the largest this connection takes (100000 bytes)",
            ex.getMessage());
        assertEquals(before, producerPosition());
    }

    @Test
    void offerOfAFragmentedMessageIsAllOrNothing() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final UnsafeBuffer filler = new UnsafeBuffer(new byte[1000]);
        while (writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, filler, 0, 1000) &&
            producerPosition() < 40 * 1024)
        {
            assertTrue(received.isEmpty());
        }
        final long before = producerPosition();
        assertFalse(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(new byte[30_000]), 0, 30_000));
        assertEquals(before, producerPosition(), "no fragment was written");

        final RingportException ex = assertThrows(RingportException.class,
            () -> writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(new byte[200_000]), 0, 200_000));
        assertEquals(ErrorCode.MESSAGE_TOO_LONG, ex.code());
        assertTrue(ex.getMessage().contains("use send"), ex.getMessage());
    }

    @Test
    void aMessageCutShortByASendTimeoutIsDroppedAndTheNextOneArrivesWhole() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final byte[] first = pattern(200_000);
        final RingportException ex = assertThrows(RingportException.class, () -> writer.send(
            MessageDescriptor.KIND_ONE_WAY, 0, new UnsafeBuffer(first), 0, first.length, 1, new BusySpinIdleStrategy()));
        assertEquals(ErrorCode.BACK_PRESSURE, ex.code());

        while (reader.poll(64) > 0)
        {
            assertTrue(received.isEmpty(), "a partial message is never delivered");
        }
        final byte[] second = pattern(30_000);
        assertTrue(writer.offer(MessageDescriptor.KIND_REQUEST, 9, new UnsafeBuffer(second), 0, second.length));
        while (received.isEmpty())
        {
            reader.poll(64);
        }
        assertArrayEquals(second, received.get(0));
    }

    @Test
    void aFragmentThatContinuesNothingIsAProtocolViolation() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final RingFile c2s = files.get(0);
        final RingWriter raw = new RingWriter(c2s.ring(), c2s.path().toString());
        final UnsafeBuffer record = new UnsafeBuffer(new byte[16]);
        raw.write(MessageDescriptor.KIND_ONE_WAY | MessageDescriptor.FRAGMENT_END, record, 0, 16);
        final RingportException ex = assertThrows(RingportException.class, () -> reader.poll(16));
        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().contains("continues no message"), ex.getMessage());
    }

    @Test
    void aCloseIsSeenAfterEverythingBeforeItAndAClaimLeftOpenIsRefusedAtCommit() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, new byte[] {7}, 0, 1);
        final Claim open = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 4);
        writer.markBroken(ErrorCode.CLOSED);
        writer.writeClose();

        final RingportException ex = assertThrows(RingportException.class, open::commit);
        assertEquals(ErrorCode.CLOSED, ex.code());
        assertFalse(reader.isPeerClosed());
        while (!reader.isPeerClosed())
        {
            reader.poll(16);
        }
        assertEquals(2, received.size(), "the message before the close, then the close; not the claim");
        assertArrayEquals(new byte[] {7}, received.get(0));
        assertNull(received.get(1), "the close");
    }

    @Test
    void theFirstReasonAnEndIsBrokenForStaysAndOnlyItsCallerIsToldItGaveIt() throws Exception
    {
        connect(64 * 1024, 1024);
        assertTrue(writer.markBroken(ErrorCode.INTERRUPTED));
        assertFalse(writer.markBroken(ErrorCode.PROTOCOL_VIOLATION), "a second finding is told it came late");
        assertFalse(writer.markBroken(ErrorCode.CLOSED));
        final RingportException ex = assertThrows(RingportException.class, writer::checkNotBroken);
        assertEquals(ErrorCode.INTERRUPTED, ex.code());
    }

    @Test
    void anExchangeOfSmallMessagesLeavesTheRingsWhereTheyWereAndKeepsOrderWithLongOnes() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        for (int i = 0; i < 100; i++)
        {
            assertTrue(writer.offer(MessageDescriptor.KIND_REQUEST, i, new byte[] {(byte)i}, 0, 1));
            assertEquals(1, reader.poll(16));
            assertTrue(reader.offer(MessageDescriptor.KIND_REPLY, i, pattern(40), 0, 40));
            assertEquals(1, writer.poll(16));
        }
        assertEquals(0, producerPosition(), "every request went through the c2s mailbox");
        assertEquals(200, received.size());
        for (int i = 0; i < 100; i++)
        {
            assertArrayEquals(new byte[] {(byte)i}, received.get(2 * i));
            assertArrayEquals(pattern(40), received.get(2 * i + 1));
        }

        // A small one (the mailbox), a long one and a small one (the ring, not yet acknowledged), in that order.
        received.clear();
        assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, pattern(3), 0, 3));
        assertEquals(0, producerPosition());
        assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, pattern(300), 0, 300));
        assertTrue(writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, pattern(5), 0, 5));
        while (reader.poll(1) > 0)
        {
            assertTrue(received.size() <= 3);
        }
        assertEquals(3, received.size());
        assertArrayEquals(pattern(3), received.get(0));
        assertArrayEquals(pattern(300), received.get(1));
        assertArrayEquals(pattern(5), received.get(2));
    }

    @Test
    void aClaimInTheMailboxIsCommittedInPlaceOrAborted() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final Claim aborted = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 40);
        final int mailbox = aborted.offset();
        aborted.buffer().putInt(mailbox, 66);
        aborted.abort();
        assertEquals(0, reader.poll(16));

        final Claim claim = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 40);
        assertEquals(mailbox, claim.offset(), "the same mailbox line");
        assertTrue(mailbox > 64 * 1024, "in the trailer, after the records");
        claim.buffer().putBytes(claim.offset(), pattern(40));
        claim.commit();
        assertEquals(0, producerPosition(), "in the mailbox, not the ring");
        assertEquals(1, reader.poll(16));
        assertEquals(1, received.size());
        assertArrayEquals(pattern(40), received.get(0));
    }

    @Test
    void claimsAreWrittenInPlaceCommittedOrAborted() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final Claim claim = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 4);
        assertNotNull(claim);
        claim.buffer().putInt(claim.offset(), 42);
        claim.commit();
        writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 4).abort();
        final Claim third = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 3);
        third.buffer().putBytes(third.offset(), new byte[] {1, 2, 3});
        third.commit();
        assertThrows(IllegalStateException.class, third::commit);
        while (reader.poll(16) > 0)
        {
            assertTrue(received.size() <= 2);
        }
        assertEquals(2, received.size());
        assertEquals(42, new UnsafeBuffer(received.get(0)).getInt(0));
        assertArrayEquals(new byte[] {1, 2, 3}, received.get(1));

        assertEquals(ErrorCode.MESSAGE_TOO_LONG, assertThrows(RingportException.class,
            () -> writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 64 * 1024)).code());
        final Claim open = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 8);
        assertThrows(IllegalStateException.class, () -> writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 8),
            "one claim at a time");
        open.abort();
        for (Claim next; null != (next = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 1000)); )
        {
            next.commit();
            assertTrue(producerPosition() < 128 * 1024, "claims must stop when the ring is full");
        }
        assertNull(writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 1000));
    }

    @Test
    void aReaderThatOnlyReadsPausesAfterADenseDeliveryAndThenReadsTheBatch() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final long window = TimeUnit.SECONDS.toNanos(2);
        reader.batchWindow(window);

        assertTrue(offer(writer, 1));
        assertEquals(1, reader.poll(16), "the first delivery after a quiet spell is not paused");
        assertTrue(offer(writer, 2));
        final long delivered = System.nanoTime();
        assertEquals(1, reader.poll(16), "the second one comes within the window: the reader pauses after it");
        assertTrue(offer(writer, 3));
        assertTrue(offer(writer, 4));

        assertEquals(0, reader.poll(16), "paused, though two messages wait");
        long read = 0;
        while (0 == (read = reader.poll(16)))
        {
            Thread.onSpinWait();
        }
        assertTrue(System.nanoTime() - delivered >= window, "read only after the window");
        assertEquals(2, read, "both waiting messages in one batch");
        assertEquals(4, received.size());
    }

    @Test
    void aReaderThatAnsweredSinceItsLastDeliveryDoesNotPause() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        reader.batchWindow(TimeUnit.SECONDS.toNanos(2));

        for (int i = 0; i < 5; i++)
        {
            assertTrue(offer(writer, i));
            assertEquals(1, reader.poll(16), "message " + i);
            assertTrue(offer(reader, i), "the reader answers");
            assertEquals(1, writer.poll(16));
        }
        assertEquals(10, received.size());
    }

    @Test
    void aSendOfTheReaderOrADrainEndsItsPause() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        reader.batchWindow(TimeUnit.SECONDS.toNanos(60));

        pauseTheReader();
        assertTrue(offer(reader, 9), "the reader answers something");
        assertEquals(1, reader.poll(16), "an exchange: read at once");

        pauseTheReader();
        assertEquals(1, reader.pollNow(16), "a drain reads what is left at once");
    }

    /** Two deliveries in a row, the second within the window, then one message that the paused reader leaves. */
    private void pauseTheReader()
    {
        assertTrue(offer(writer, 1));
        assertEquals(1, reader.poll(16), "a delivery after a quiet spell or an exchange");
        assertTrue(offer(writer, 2));
        assertEquals(1, reader.poll(16), "a second one within the window");
        assertTrue(offer(writer, 3));
        assertEquals(0, reader.poll(16), "paused");
    }

    @Test
    void withoutABatchWindowEveryMessageIsReadAtOnce() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);

        for (int i = 0; i < 5; i++)
        {
            assertTrue(offer(writer, i));
            assertEquals(1, reader.poll(16), "message " + i);
        }
    }

    private static boolean offer(final Endpoint from, final int value)
    {
        return from.offer(MessageDescriptor.KIND_ONE_WAY, 0, new byte[] {(byte)value}, 0, 1);
    }

    @Test
    void steadyStateSendAndReceiveAllocateNothing() throws Exception
    {
        connect(64 * 1024, 1024 * 1024);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final Endpoint.Sink counting = new Endpoint.Sink()
        {
            public void onMessage(final Message message)
            {
                payload.putLong(0, payload.getLong(0) + message.length());
            }

            public void onPeerClosed(final Endpoint endpoint)
            {
            }
        };
        final Endpoint quiet = new Endpoint(7, "reader", files.get(1), files.get(0), counting);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        // The fewest bytes any round after the first allocated: an allocation per message would show in every round;
        // a one-off of the JIT's (a deoptimised frame, 176 B seen once in five runs) in one round only.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++)
            {
                writer.offer(MessageDescriptor.KIND_ONE_WAY, 0, payload, 0, 64);
                final Claim claim = writer.tryClaim(MessageDescriptor.KIND_ONE_WAY, 0, 16);
                claim.buffer().putLong(claim.offset(), i);
                claim.commit();
                quiet.poll(16);
            }
            final long bytes = threads.getThreadAllocatedBytes(thread) - before;
            if (round > 0)
            {
                allocated = Math.min(allocated, bytes);
            }
        }
        assertEquals(0, allocated, "bytes allocated by 100,000 sends, claims and receives after warm-up");
    }
}
