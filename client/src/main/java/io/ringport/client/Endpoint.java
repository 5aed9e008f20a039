package io.ringport.client;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RecordHandler;
import io.ringport.core.ring.RingReader;
import io.ringport.core.ring.RingWriter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import static io.ringport.core.message.MessageDescriptor.CORRELATION_ID_OFFSET;
import static io.ringport.core.message.MessageDescriptor.FRAGMENT_BEGIN;
import static io.ringport.core.message.MessageDescriptor.FRAGMENT_END;
import static io.ringport.core.message.MessageDescriptor.HEADER_LENGTH;
import static io.ringport.core.message.MessageDescriptor.UNFRAGMENTED;
import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_BACK_PRESSURE_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_BYTES_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.PRODUCER_MESSAGES_OFFSET;

/**
 * One end of a connection: the ring it writes (tx) and the ring it reads (rx), with message framing on both.
 * <p>
 * A message that fits one ring record is written as one record and read in place. A longer one, up to the
 * connection's max message length, is split into fragments and reassembled by the reader into a buffer it reuses.
 * The tx side has one writer thread at a time; the rx side is polled by one thread, which also unmaps it.
 */
final class Endpoint
{
    /** Receives what the rx ring carries, on the polling thread. */
    interface Sink
    {
        void onMessage(Message message);

        /**
         * The peer closed its end (its producer-closed word), and everything it wrote has been read.
         *
         * @param endpoint this end: a connection that connected again since may be reading an end it replaced.
         */
        void onPeerClosed(Endpoint endpoint);

        /**
         * A write found what the peer writes for the tx ring broken (its consumer positions, its acknowledgements):
         * called on the writing thread, before the write throws the violation to its caller.
         *
         * @param endpoint  this end.
         * @param violation what the write throws next.
         */
        default void onWriteViolation(Endpoint endpoint, RingportException violation)
        {
        }
    }

    /** A time so long before any clock reading that the gap since it is never within a batch window. */
    private static final long LONG_AGO = Long.MIN_VALUE / 2;
    private static final AtomicReferenceFieldUpdater<Endpoint, ErrorCode> BROKEN =
        AtomicReferenceFieldUpdater.newUpdater(Endpoint.class, ErrorCode.class, "broken");

    final long connectionId;
    final String name;
    private final RingFile tx;
    private final AtomicBuffer txHeader;
    private final RingFile rx;
    private final RingWriter out;
    private final RingReader in;
    private final Sink sink;
    private final Message message = new Message();
    private final RecordHandler onRecord = this::onRecord;
    private final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    private final Claim claim;
    private final int txCapacity;
    private final int maxFragment;
    /** Ring bytes of a record of the longest fragment: what each fragment takes, and the most padding at the wrap. */
    private final int fullRecordLength;
    private final int maxMessageLength;
    private final int rxMaxMessageLength;
    private ExpandableDirectByteBuffer assembly;
    private int assembled = -1;
    private int assemblyKind;
    private long assemblyCorrelationId;
    /** Why this end may write no more, or null while it may. */
    private volatile ErrorCode broken;
    private boolean peerClosed;
    private boolean detached;
    private long batchWindowNs;
    private long lastDeliveryNs = LONG_AGO;
    private long pausedUntilNs;
    /**
     * Set by every send, read by the polling thread: a plain field, so a send on another thread may be seen a little
     * late, which costs at most one batch window.
     */
    private boolean sentSinceDelivery;

    Endpoint(final long connectionId, final String name, final RingFile tx, final RingFile rx, final Sink sink)
    {
        this.connectionId = connectionId;
        this.name = name;
        this.tx = tx;
        this.txHeader = tx.header();
        this.rx = rx;
        this.out = new RingWriter(tx.ring(), tx.path().toString());
        this.in = new RingReader(rx.ring(), rx.path().toString());
        // The two rings of the connection: acknowledgements go back with every record, and an exchange of small
        // messages uses the rings' mailboxes.
        this.out.pairWith(in);
        this.sink = sink;
        this.claim = new Claim(this, out);
        this.txCapacity = tx.capacity();
        this.maxFragment = RingDescriptor.maxRecordPayload(txCapacity) - HEADER_LENGTH;
        this.fullRecordLength = RingDescriptor.alignedRecordLength(HEADER_LENGTH + maxFragment);
        this.maxMessageLength = tx.maxMessageLength();
        this.rxMaxMessageLength = rx.maxMessageLength();
    }

    /**
     * Map a connection's two rings from its capability and check both headers; the client writes c2s and reads
     * s2c, the service the other way round. Nothing stays mapped when either ring is refused.
     */
    static Endpoint map(
        final long connectionId,
        final String name,
        final String c2sPath,
        final String s2cPath,
        final byte[] token,
        final boolean clientSide,
        final Sink sink)
    {
        final RingFile c2s = RingFile.map(Path.of(c2sPath), RingKind.C2S, token);
        try
        {
            final RingFile s2c = RingFile.map(Path.of(s2cPath), RingKind.S2C, token);
            try
            {
                return clientSide ? new Endpoint(connectionId, name, c2s, s2c, sink) :
                    new Endpoint(connectionId, name, s2c, c2s, sink);
            }
            catch (final RuntimeException ex)
            {
                s2c.close();
                throw ex;
            }
        }
        catch (final RuntimeException ex)
        {
            c2s.close();
            throw ex;
        }
    }

    /** Write one message without waiting; false when the ring has no room for all of it now. */
    boolean offer(final int kind, final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        checkLength(length);
        if (length <= maxFragment)
        {
            if (write(MessageDescriptor.typeId(kind), correlationId, src, offset, length))
            {
                countSent(length);
                return true;
            }
            countBackPressure();
            return false;
        }
        return offerFragments(kind, correlationId, src, offset, length);
    }

    private boolean offerFragments(
        final int kind, final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        // All fragments or none: the single writer knows the room it has, and keeps a record's worth for the padding
        // at the wrap.
        final long needed = (long)fragmentedLength(length) + fullRecordLength;
        if (needed > txCapacity)
        {
            throw new RingportException(ErrorCode.MESSAGE_TOO_LONG, "message of " + length + " bytes to " + name +
                " needs " + needed + " bytes of a " + txCapacity + "-byte ring at once: use send, which waits");
        }
        final long free = txCapacity - (out.producerPosition() - out.cleanPosition());
        if (free < needed)
        {
            countBackPressure();
            return false;
        }
        for (int sent = 0; sent < length; )
        {
            final int chunk = Math.min(maxFragment, length - sent);
            if (!write(fragmentTypeId(kind, sent, chunk, length), correlationId, src, offset + sent, chunk))
            {
                // The room was there a moment ago and only the reader frees room: its head went backwards.
                throw writeViolation(new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring to " + name +
                    " lost room while a fragmented message was written: the reader's clean position moved back"));
            }
            sent += chunk;
        }
        countSent(length);
        return true;
    }

    /** Same as {@link #offer} for a byte array, through a reused wrapper (single writer). */
    boolean offer(final int kind, final long correlationId, final byte[] src, final int offset, final int length)
    {
        wrapper.wrap(src);
        return offer(kind, correlationId, wrapper, offset, length);
    }

    /** Write one message, waiting for room (fragment by fragment for long ones) until the timeout. */
    void send(
        final int kind,
        final long correlationId,
        final DirectBuffer src,
        final int offset,
        final int length,
        final long timeoutNs,
        final IdleStrategy idle)
    {
        checkLength(length);
        if (length > maxFragment)
        {
            sendFragments(kind, correlationId, src, offset, length, timeoutNs, idle);
            return;
        }
        final int typeId = MessageDescriptor.typeId(kind);
        if (!write(typeId, correlationId, src, offset, length))
        {
            awaitRoomFor(typeId, correlationId, src, offset, length, timeoutNs, idle);
        }
        countSent(length);
    }

    private void awaitRoomFor(final int typeId, final long correlationId, final DirectBuffer src, final int offset,
        final int length, final long timeoutNs, final IdleStrategy idle)
    {
        countBackPressure();
        final long deadline = System.nanoTime() + timeoutNs;
        idle.reset();
        while (!write(typeId, correlationId, src, offset, length))
        {
            awaitRoom(deadline, timeoutNs, idle);
        }
    }

    private void sendFragments(final int kind, final long correlationId, final DirectBuffer src, final int offset,
        final int length, final long timeoutNs, final IdleStrategy idle)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        idle.reset();
        boolean waited = false;
        for (int sent = 0; sent < length; )
        {
            final int chunk = Math.min(maxFragment, length - sent);
            final int typeId = fragmentTypeId(kind, sent, chunk, length);
            while (!write(typeId, correlationId, src, offset + sent, chunk))
            {
                if (!waited)
                {
                    waited = true;
                    countBackPressure();
                }
                // A timeout here leaves a partial message, which the reader drops when the next one begins.
                awaitRoom(deadline, timeoutNs, idle);
            }
            sent += chunk;
        }
        countSent(length);
    }

    /** Claim room for a message of one record, to be written in place; null when there is no room now. */
    Claim tryClaim(final int kind, final long correlationId, final int length)
    {
        if (length > maxFragment || length < 0)
        {
            throw new RingportException(ErrorCode.MESSAGE_TOO_LONG, "claim of " + length + " bytes to " + name +
                " exceeds one ring record (" + maxFragment + " bytes): send longer messages with send");
        }
        final int index = claim(MessageDescriptor.typeId(kind), HEADER_LENGTH + length);
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            countBackPressure();
            return null;
        }
        out.buffer().putLong(index + CORRELATION_ID_OFFSET, correlationId);
        return claim.wrap(index, index + HEADER_LENGTH, length);
    }

    /** Drop a claim the writer left open (its code threw before the commit), so the next send can claim. */
    void abortOpenClaim()
    {
        claim.abortIfOpen();
    }

    /**
     * Say, after everything already written, that this end will write no more: the producer-closed word in the
     * header, which the reader takes for the close once it has read the ring empty, and a ring of the reader's
     * doorbell. Nothing goes into the ring itself, so closing never waits for the reader, and a close on another
     * thread than a send under way (against the single-writer rule) cannot tangle its records with the send's.
     */
    void writeClose()
    {
        tx.markProducerClosed();
        signalConsumer();
    }

    /** Poll the rx ring; messages and the peer's close go to the sink. */
    int poll(final int limit)
    {
        if (peerClosed || detached)
        {
            return 0;
        }
        if (0 != pausedUntilNs)
        {
            // A send since the delivery makes this an exchange: the answer must not wait out the pause.
            if (!sentSinceDelivery && System.nanoTime() - pausedUntilNs < 0)
            {
                return 0;
            }
            // Measure the next gap from here: a stream that has more by the time the pause ends is still dense.
            lastDeliveryNs = pausedUntilNs;
            pausedUntilNs = 0;
        }
        final int read = in.read(onRecord, limit);
        if (read > 0 && 0 != batchWindowNs)
        {
            if (sentSinceDelivery)
            {
                // An exchange: this end answered since its last delivery, and a pause would hold back the next one.
                sentSinceDelivery = false;
                lastDeliveryNs = LONG_AGO;
            }
            else if (read < limit)
            {
                pauseForBatch();
            }
        }
        if (0 == read && !peerClosed && rx.isProducerClosed() && in.isEmpty())
        {
            // The peer closed (its producer-closed word): everything it wrote has been read.
            peerClosed = true;
            sink.onPeerClosed(this);
        }
        return read;
    }

    /**
     * {@link #poll} without waiting out a batch pause: for a reader that drains what a departed peer left, where 0
     * must mean the ring is empty.
     */
    int pollNow(final int limit)
    {
        pausedUntilNs = 0;
        return poll(limit);
    }

    /**
     * Give the writer of the rx ring back the room of what was read, which the reader zeroes when it finds nothing
     * more: for a reader that stops polling after a delivery (an invoker-mode {@code requestSync}). Polling thread.
     */
    void releaseReadRoom()
    {
        if (!detached)
        {
            in.isEmpty();
        }
    }

    /** Pause reading after a delivery ({@link Ringport.Context#batchWindow}); never while more is waiting. */
    Endpoint batchWindow(final long windowNs)
    {
        batchWindowNs = windowNs;
        return this;
    }

    private void pauseForBatch()
    {
        final long now = System.nanoTime();
        final long sincePrevious = now - lastDeliveryNs;
        lastDeliveryNs = now;
        if (sincePrevious < batchWindowNs)
        {
            pausedUntilNs = now + batchWindowNs;
        }
    }

    /** Count a whole message written, for the daemon's stat (single writer: plain read, ordered store). */
    void countSent(final int length)
    {
        sentSinceDelivery = true;
        final AtomicBuffer header = txHeader;
        header.putLongRelease(PRODUCER_MESSAGES_OFFSET, header.getLong(PRODUCER_MESSAGES_OFFSET) + 1);
        header.putLongRelease(PRODUCER_BYTES_OFFSET, header.getLong(PRODUCER_BYTES_OFFSET) + length);
    }

    private void countBackPressure()
    {
        final AtomicBuffer header = txHeader;
        header.putLongRelease(PRODUCER_BACK_PRESSURE_OFFSET, header.getLong(PRODUCER_BACK_PRESSURE_OFFSET) + 1);
    }

    /** Wake the reader of the tx ring if it sleeps; no system call while it is awake. */
    void signalConsumer()
    {
        tx.signalConsumer();
    }

    /** Offer the rx ring to a blocking wait strategy, while this end still reads it. */
    void watchRx(final DoorbellIdleStrategy strategy)
    {
        if (!detached && !peerClosed)
        {
            strategy.watch(rx, in);
        }
    }

    boolean isPeerClosed()
    {
        return peerClosed;
    }

    /**
     * This end writes no more, for a reason, unless it has one already: the first reason stays, and a send waiting for
     * room then throws with it. One atomic step, as a send, the poller, the daemon's events and a close may all break
     * an end at once, and only the one whose reason it is may go on to tell its event.
     *
     * @param why this end writes no more.
     * @return true when this call gave the reason; false when another came first.
     */
    boolean markBroken(final ErrorCode why)
    {
        return BROKEN.compareAndSet(this, null, why);
    }

    boolean isBroken()
    {
        return null != broken;
    }

    /** Throw when this end may write no more; a send or claim on a closed end would write into a ring let go of. */
    void checkNotBroken()
    {
        final ErrorCode why = broken;
        if (null != why)
        {
            throw ended(why, "nothing more can be sent on it");
        }
    }

    private RingportException ended(final ErrorCode why, final String what)
    {
        return new RingportException(why, "connection to " + name + " has ended (" + why + "): " + what);
    }

    boolean isDetached()
    {
        return detached;
    }

    /**
     * Unmap the rx ring, once, on the polling thread.
     *
     * @return false when it was already detached.
     */
    boolean detachRx()
    {
        if (detached)
        {
            return false;
        }
        detached = true;
        rx.close();
        return true;
    }

    void unmapTx()
    {
        tx.close();
    }

    private boolean write(
        final int typeId, final long correlationId, final DirectBuffer src, final int offset, final int length)
    {
        final int index = claim(typeId, HEADER_LENGTH + length);
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            return false;
        }
        final AtomicBuffer buffer = out.buffer();
        if (index < txCapacity)
        {
            // A ring record: the payload before the correlation id, which shares the line the reader polls. Measured
            // (docs/benchmarks.md, run 20): the id stored first made a 256 B round trip 60 ns slower.
            buffer.putBytes(index + HEADER_LENGTH, src, offset, length);
            buffer.putLong(index + CORRELATION_ID_OFFSET, correlationId);
        }
        else
        {
            // The mailbox, one line: the id first, as measured faster for a 32 B round trip.
            buffer.putLong(index + CORRELATION_ID_OFFSET, correlationId);
            buffer.putBytes(index + HEADER_LENGTH, src, offset, length);
        }
        out.commit();
        signalConsumer();
        return true;
    }

    /** Claim a record of the tx ring; what the writer refuses of the peer's words goes to the sink first. */
    private int claim(final int typeId, final int recordPayload)
    {
        try
        {
            return out.tryClaim(typeId, recordPayload);
        }
        catch (final RingportException ex)
        {
            throw writeViolation(ex);
        }
    }

    private RingportException writeViolation(final RingportException ex)
    {
        if (ErrorCode.PROTOCOL_VIOLATION == ex.code())
        {
            sink.onWriteViolation(this, ex);
        }
        return ex;
    }

    private void awaitRoom(final long deadline, final long timeoutNs, final IdleStrategy idle)
    {
        final ErrorCode why = broken;
        if (null != why)
        {
            throw ended(why, "a send waiting for ring space gave up");
        }
        if (System.nanoTime() - deadline >= 0)
        {
            throw new RingportException(ErrorCode.BACK_PRESSURE, "no room in the ring to " + name + " for " +
                (timeoutNs / 1_000_000) + " ms: the other end is not reading");
        }
        idle.idle();
    }

    private void checkLength(final int length)
    {
        if (length > maxMessageLength || length < 0)
        {
            throw tooLong(length);
        }
    }

    private RingportException tooLong(final int length)
    {
        return new RingportException(ErrorCode.MESSAGE_TOO_LONG, "message of " + length + " bytes to " + name +
            " exceeds the largest this connection takes (" + maxMessageLength + " bytes)");
    }

    private int fragmentedLength(final int length)
    {
        final int fragments = (length + maxFragment - 1) / maxFragment;
        return fragments * fullRecordLength;
    }

    private static int fragmentTypeId(final int kind, final int sent, final int chunk, final int length)
    {
        return kind | (0 == sent ? FRAGMENT_BEGIN : 0) | (sent + chunk == length ? FRAGMENT_END : 0);
    }

    private void onRecord(final int typeId, final AtomicBuffer buffer, final int offset, final int length)
    {
        if (!MessageDescriptor.isValidTypeId(typeId) || length < HEADER_LENGTH)
        {
            throw notAMessage(typeId, length);
        }
        final int kind = MessageDescriptor.kind(typeId);
        final long correlationId = buffer.getLong(offset + CORRELATION_ID_OFFSET);
        final int fragment = typeId & UNFRAGMENTED;
        if (UNFRAGMENTED == fragment)
        {
            if (MessageDescriptor.KIND_CLOSE == kind)
            {
                peerClosed = true;
                sink.onPeerClosed(this);
                return;
            }
            sink.onMessage(message.wrap(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH, correlationId, kind));
            return;
        }
        if (MessageDescriptor.KIND_CLOSE == kind)
        {
            throw violation("a CLOSE record cannot be a fragment");
        }
        onFragment(fragment, kind, correlationId, buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH);
    }

    private void onFragment(
        final int fragment,
        final int kind,
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (FRAGMENT_BEGIN == fragment)
        {
            // A writer that timed out mid-message starts over: what it had written is dropped.
            assembled = 0;
            assemblyKind = kind;
            assemblyCorrelationId = correlationId;
        }
        else if (assembled < 0 || kind != assemblyKind || correlationId != assemblyCorrelationId)
        {
            throw violation("a fragment arrived that continues no message");
        }
        final int total = assembled + length;
        if (total > rxMaxMessageLength)
        {
            throw violation("fragments add up to more than the max message length " + rxMaxMessageLength);
        }
        if (null == assembly)
        {
            assembly = new ExpandableDirectByteBuffer(Math.max(total, 64 * 1024));
        }
        assembly.putBytes(assembled, buffer, offset, length);
        assembled = total;
        if (FRAGMENT_END == fragment)
        {
            assembled = -1;
            sink.onMessage(message.wrap(assembly, 0, total, correlationId, kind));
        }
    }

    private RingportException notAMessage(final int typeId, final int length)
    {
        return violation("record type 0x" + Integer.toHexString(typeId) + " with " + length +
            " bytes is not a valid message");
    }

    private RingportException violation(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + rx.path() + ": " + reason);
    }
}
