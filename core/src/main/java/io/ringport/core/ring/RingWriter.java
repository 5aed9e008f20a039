package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.ringport.core.ring.RingDescriptor.ACK_OFFSET;
import static io.ringport.core.ring.RingDescriptor.CLEAN_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.HEADER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_ACK_OFFSET;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_MAX_PAYLOAD;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_MAX_TYPE;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_PAYLOAD_OFFSET;
import static io.ringport.core.ring.RingDescriptor.PADDING_TYPE_ID;
import static io.ringport.core.ring.RingDescriptor.TAIL_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.TRAILER_LENGTH;

/**
 * The producing end of a single-producer ring ({@link RingDescriptor}): one thread at a time claims room for a
 * record, writes it in place and commits it, which publishes it with one ordered store of its header.
 * <p>
 * The producer writes only over zeroes: up to one ring past the consumer's clean position, which comes from another,
 * untrusted process; one that is ahead of the tail or more than a ring behind it is refused with
 * {@link ErrorCode#PROTOCOL_VIOLATION}. What a claim wrote in place and then aborted is zeroed again.
 * <p>
 * A writer {@link #pairWith paired} with the reader of the reverse ring (the two rings of a connection) sends that
 * reader's count of records taken with every record, and reads the consumer's count back from it: when the
 * consumer has taken everything this writer sent, a record that fits goes into the mailbox, two lines that do not
 * move, instead of the next line of the ring. A count from the consumer above what was sent is refused with
 * {@link ErrorCode#PROTOCOL_VIOLATION}.
 */
public final class RingWriter
{
    /** What {@link #tryClaim} returns when the ring has no room for the record now. */
    public static final int INSUFFICIENT_CAPACITY = -2;

    private static final long NO_CLAIM = -1;

    /** Most bytes of the next record that {@link #prepareNext} takes ahead: a larger one's copy hides its fetches. */
    static final int PREPARE_LIMIT = 4096;

    /** How often (records sent, minus one, a power of two) a paired writer clears the mailbox lines taken. */
    static final long STALE_MAILBOX_CHECK_MASK = (1L << 40) - 1;

    private final AtomicBuffer buffer;
    /** The same region's published words, unchecked: the hot path's. */
    private final RingWords words;
    private final int capacity;
    private final int mask;
    private final int maxPayloadLength;
    private final int tailPositionIndex;
    private final int headPositionIndex;
    private final int cleanPositionIndex;
    private final int sentCountIndex;
    private final String name;
    private long tail;
    /** Records published, ring and mailbox: the sequence number of the next one. */
    private long sent;
    /** The reader of the reverse ring, whose acknowledgements tell when the mailbox is free; null for none. */
    private RingReader reverse;
    /** The consumer's clean position as last read: the producer writes no further than a ring ahead of it. */
    private long cleanCache;
    private long claimedTail = NO_CLAIM;
    /** Where the claimed record's header goes: a ring index, or at capacity and past it a mailbox line's. */
    private int claimedIndex;
    private long claimedHeader;
    /** The claimed ring record is sent into an exchange: the consumer had taken every record before it. */
    private boolean claimedInExchange;

    /**
     * A writer over a ring region, continuing from the tail position and the count of records sent it holds.
     * <p>
     * The region may have been written before by another process (a port ring taken over from a dead daemon): a
     * tail that is not a record boundary is refused, the consumer's clean position is read and checked at the first
     * claim, and {@link #clearUnpublished()} clears what a producer that died in a claim left.
     *
     * @param buffer the ring region, capacity + {@link RingDescriptor#TRAILER_LENGTH} bytes.
     * @param name   what to call this ring in error messages (its path, say).
     * @throws RingportException when the tail position is not a record boundary.
     */
    public RingWriter(final AtomicBuffer buffer, final String name)
    {
        this.buffer = buffer;
        this.words = new RingWords(buffer);
        this.capacity = buffer.capacity() - TRAILER_LENGTH;
        this.mask = capacity - 1;
        this.maxPayloadLength = RingDescriptor.maxRecordPayload(capacity);
        this.tailPositionIndex = capacity + TAIL_POSITION_OFFSET;
        this.headPositionIndex = capacity + HEAD_POSITION_OFFSET;
        this.cleanPositionIndex = capacity + CLEAN_POSITION_OFFSET;
        this.sentCountIndex = capacity + RingDescriptor.SENT_COUNT_OFFSET;
        this.name = name;
        final long tail = buffer.getLongVolatile(tailPositionIndex);
        if (tail < 0 || 0 != (tail & (RingDescriptor.ALIGNMENT - 1)))
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": producer position " + tail +
                " is not a record boundary");
        }
        this.tail = tail;
        // A writer before us may have sent mailbox records, which moved no position: number on after them.
        this.sent = buffer.getLongVolatile(sentCountIndex);
        // Nothing is known of the consumer yet: the first claim reads its position and checks it.
        this.cleanCache = tail - capacity;
    }

    /**
     * Claim room for one record, in the mailbox when it fits and is free, else at the tail; write the payload in
     * place, then {@link #commit()} or {@link #abort()}. One claim at a time.
     *
     * @param typeId of the record, greater than 0.
     * @param length of the payload, at most {@link #maxPayloadLength()}.
     * @return the index in {@link #buffer()} where the payload goes, or {@link #INSUFFICIENT_CAPACITY}.
     * @throws IllegalStateException    when a claim is already open.
     * @throws IllegalArgumentException when the type or length is out of range.
     * @throws RingportException        when the consumer's position is corrupt.
     */
    public int tryClaim(final int typeId, final int length)
    {
        // Small enough to inline (the messages of the throws are made elsewhere): this is every send's first step.
        if (NO_CLAIM != claimedTail)
        {
            throw claimOpen();
        }
        if (typeId <= 0 || length < 0 || length > maxPayloadLength)
        {
            throw badRecord(typeId, length);
        }

        if (length <= MAILBOX_MAX_PAYLOAD && typeId <= MAILBOX_MAX_TYPE && null != reverse && mailboxIsFree())
        {
            claimedIndex = capacity + RingDescriptor.mailboxLineOffset(sent);
            claimedHeader = RingDescriptor.mailboxWord(sent, typeId, length);
            claimedTail = tail;
            return claimedIndex + MAILBOX_PAYLOAD_OFFSET;
        }

        final AtomicBuffer buffer = this.buffer;
        final int capacity = this.capacity;
        final long tail = this.tail;
        final int recordLength = HEADER_LENGTH + length;
        final int alignedLength = RingDescriptor.alignedRecordLength(length);
        int index = (int)tail & mask;
        final int toEnd = capacity - index;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        final long newTail = tail + padding + alignedLength;

        if (newTail - cleanCache > capacity && newTail - readClean(tail) > capacity)
        {
            return INSUFFICIENT_CAPACITY;
        }

        if (0 != padding)
        {
            // Published at once, and the tail past it: an abort of the record after it leaves it in place.
            words.putLongRelease(index, RingDescriptor.header(PADDING_TYPE_ID, padding));
            this.tail = tail + padding;
            words.putLongRelease(tailPositionIndex, tail + padding);
            index = 0;
        }
        claimedIndex = index;
        claimedHeader = RingDescriptor.header(typeId, recordLength);
        claimedTail = newTail;
        claimedInExchange = null != reverse && reverse.peerAcknowledgement() == sent;

        return index + HEADER_LENGTH;
    }

    /**
     * After a ring record is published into an exchange (the consumer had taken everything before it, so it waits
     * for this record, and its answer comes before the next): take into this core's cache the lines that the next
     * record fills if it is as long as this one (up to {@link #PREPARE_LIMIT} bytes), but its first, which the consumer
     * polls, by storing zero over their zero words. The next record's stores then find its lines here instead of
     * fetching each one while the reader waits (docs/benchmarks.md, run 20: a 256 B round trip 50 ns faster). Only
     * within the room known free and not across the end of the ring; these stores follow the header's, so they never
     * delay it. Not in a stream, whose next record follows at once and would store each line twice (measured: the
     * 4 KiB throughput halved).
     */
    private void prepareNext(final long tail, final int length)
    {
        final int index = (int)tail & mask;
        if (length > capacity - index || tail + length - cleanCache > capacity)
        {
            return;
        }
        for (int line = index + BitUtil.CACHE_LINE_LENGTH, end = index + Math.min(length, PREPARE_LIMIT); line < end;
            line += BitUtil.CACHE_LINE_LENGTH)
        {
            words.putLong(line, 0L);
        }
    }

    /** Has the consumer taken every record sent, by its latest acknowledgement? */
    private boolean mailboxIsFree()
    {
        final long ack = reverse.peerAcknowledgement();
        if (ack == sent)
        {
            return true;
        }
        if (ack - sent > 0)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": the consumer acknowledges " +
                ack + " records, more than the " + sent + " sent");
        }
        return false;
    }

    /**
     * Pair this writer with the reader of the reverse ring, in the same process: from now on every record carries
     * that reader's count of records taken, and a small record goes into the mailbox when the consumer's count,
     * which that reader receives, shows it has taken everything. Both ends of a duplex pair of rings pair theirs,
     * before either writes.
     *
     * @param reverse the reader of the ring the consumer of this one writes.
     */
    public void pairWith(final RingReader reverse)
    {
        this.reverse = reverse;
    }

    /**
     * Read the consumer's clean position into the cache, about once a lap; refuse one not within a ring behind the
     * tail.
     */
    private long readClean(final long tail)
    {
        final long clean = buffer.getLongVolatile(cleanPositionIndex);
        if (clean - tail > 0 || tail - clean > capacity)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": clean position " +
                clean + " is not within one ring behind the producer position " + tail);
        }
        final long head = buffer.getLongVolatile(headPositionIndex);
        if (head - clean < 0 || head - tail > 0)
        {
            throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": consumer position " +
                head + " is not between the clean position " + clean + " and the producer position " + tail);
        }
        cleanCache = clean;
        return clean;
    }

    /**
     * Are the consumer's positions a consumer's, as a claim would check them: the clean position within a ring
     * behind the tail, the head between the two?
     *
     * @return false when a claim that reads them would refuse them.
     */
    public boolean consumerPositionsAreSound()
    {
        final long clean = buffer.getLongVolatile(cleanPositionIndex);
        final long head = buffer.getLongVolatile(headPositionIndex);
        return RingDescriptor.isConsumerPair(head, clean, capacity) && clean - tail <= 0 && tail - clean <= capacity &&
            head - tail <= 0;
    }

    private IllegalStateException noClaim()
    {
        return new IllegalStateException("ring " + name + ": no claim is open");
    }

    private IllegalStateException claimOpen()
    {
        return new IllegalStateException("ring " + name + ": a claim is open: commit or abort it first");
    }

    private IllegalArgumentException badRecord(final int typeId, final int length)
    {
        return new IllegalArgumentException("ring " + name + ": record type " + typeId + " with " + length +
            " bytes (types are > 0, lengths 0.." + maxPayloadLength + ")");
    }

    /**
     * Publish the claimed record to the consumer.
     *
     * @throws IllegalStateException when no claim is open.
     */
    public void commit()
    {
        final long newTail = claimedTail;
        if (NO_CLAIM == newTail)
        {
            throw noClaim();
        }
        claimedTail = NO_CLAIM;
        final long ack = null == reverse ? 0 : reverse.recordsTaken();
        final long sent = ++this.sent;
        // Before the record: a writer that dies between the two leaves its successor one number ahead, which only
        // keeps this ring out of the mailbox, where one behind would reuse a number the consumer may have taken.
        words.putLongRelease(sentCountIndex, sent);
        if (claimedIndex >= capacity)
        {
            // A mailbox line: they are in the trailer, past every ring index.
            words.putLong(claimedIndex + MAILBOX_ACK_OFFSET, ack);
            words.putLongRelease(claimedIndex, claimedHeader);
        }
        else
        {
            final long recordLength = newTail - tail;
            tail = newTail;
            // The header, last and in one store, is what publishes the record; the tail is for takeover and
            // monitors.
            words.putLong(claimedIndex + ACK_OFFSET, ack);
            words.putLongRelease(claimedIndex, claimedHeader);
            words.putLongRelease(tailPositionIndex, newTail);
            if (claimedInExchange && recordLength > BitUtil.CACHE_LINE_LENGTH)
            {
                prepareNext(newTail, (int)recordLength);
            }
        }
        if (0 == (sent & STALE_MAILBOX_CHECK_MASK) && null != reverse)
        {
            clearTakenMailboxLines();
        }
    }

    /**
     * Zero the mailbox lines whose records the consumer has taken, and whose handlers have returned: a line left
     * alone would match the consumer's count again 2^48 records later (a stream that never uses the mailbox).
     * Every {@link #STALE_MAILBOX_CHECK_MASK} + 1 records.
     */
    private void clearTakenMailboxLines()
    {
        final long ack = reverse.peerAcknowledgement();
        for (int line = 0; line < 2; line++)
        {
            final int index = capacity + RingDescriptor.mailboxLineOffset(line);
            final long word = buffer.getLongVolatile(index);
            // Taken, and the one after it taken too: its handler has returned, the line is free.
            if (0 != word && RingDescriptor.mailboxNumberAhead(word, ack) <= -2)
            {
                buffer.putLongRelease(index, 0L);
            }
        }
    }

    /**
     * Drop the claimed record: nothing was published, so the consumer never sees it and the next claim reuses its
     * room.
     *
     * @throws IllegalStateException when no claim is open.
     */
    public void abort()
    {
        final long claimedTail = this.claimedTail;
        if (NO_CLAIM == claimedTail)
        {
            throw noClaim();
        }
        this.claimedTail = NO_CLAIM;
        if (claimedIndex >= capacity)
        {
            // A mailbox line, whose word still holds the record before: nothing there is taken again.
            return;
        }
        // What was written in place goes: the room ahead of the tail stays zero, or a later record's header could
        // land on it.
        buffer.setMemory(claimedIndex, (int)(claimedTail - tail), (byte)0);
    }

    /**
     * Claim, copy and commit one record.
     *
     * @param typeId of the record, greater than 0.
     * @param src    holding the payload.
     * @param offset of the payload in src.
     * @param length of the payload.
     * @return false when the ring has no room for it now.
     */
    public boolean write(final int typeId, final DirectBuffer src, final int offset, final int length)
    {
        final int index = tryClaim(typeId, length);
        if (INSUFFICIENT_CAPACITY == index)
        {
            return false;
        }
        buffer.putBytes(index, src, offset, length);
        commit();
        return true;
    }

    /**
     * The ring region records are written into.
     *
     * @return the buffer the indexes from {@link #tryClaim} refer to.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Longest payload one record takes.
     *
     * @return the length in bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * Position up to which records are published.
     *
     * @return the tail position, in bytes since the ring was created.
     */
    public long producerPosition()
    {
        return tail;
    }

    /**
     * Position up to which the consumer has read and zeroed the ring, as it last published it: this writer writes
     * no further than a ring ahead of it.
     *
     * @return the clean position, in bytes since the ring was created.
     */
    public long cleanPosition()
    {
        return buffer.getLongVolatile(cleanPositionIndex);
    }

    /**
     * Take over from a producer that may have died during a claim or a commit: continue after the last record it
     * published (its tail word may lag behind a published header, and the consumer may have read past it), and zero
     * everything from there to a ring past the consumer's clean position, so that nothing it wrote in place and did
     * not publish ends up under a header of ours. Call it before the first claim.
     */
    public void clearUnpublished()
    {
        final long clean = buffer.getLongVolatile(cleanPositionIndex);
        long position = furtherHead(tail, clean);
        if (clean - position > 0 || position - clean > capacity)
        {
            // readClean refuses it at the first claim.
            return;
        }
        while (true)
        {
            position = afterPublished(position, clean);
            // A reader still at work may have read (and zeroed) what was published past where the walk stopped.
            final long head = furtherHead(position, clean);
            if (head == position)
            {
                break;
            }
            position = head;
        }
        RingDescriptor.zero(buffer, capacity, position, clean + capacity);
        tail = position;
        cleanCache = position - capacity;
        buffer.putLongRelease(tailPositionIndex, position);
    }

    /** The consumer's head if it is a position ahead of this one and within the room, else this one. */
    private long furtherHead(final long position, final long clean)
    {
        final long head = buffer.getLongVolatile(headPositionIndex);
        return head - position > 0 && head - clean <= capacity && 0 == (head & (RingDescriptor.ALIGNMENT - 1)) ?
            head : position;
    }

    /** The position after the published records from this one on, within a ring of the clean position. */
    private long afterPublished(final long from, final long clean)
    {
        long position = from;
        while (position - clean < capacity)
        {
            final int index = (int)position & mask;
            final long header = buffer.getLongVolatile(index);
            if (!RingDescriptor.isRecordHeader(header, index, capacity))
            {
                break;
            }
            final long next = position + RingDescriptor.alignedRecordLength((int)header - HEADER_LENGTH);
            if (next - clean > capacity)
            {
                break;
            }
            position = next;
        }
        return position;
    }


    /**
     * Forget every record the consumer has not read, for a ring nobody reads now: zero the whole ring (what a
     * consumer that is gone says it zeroed is not to be trusted) and move the consumer's positions to the tail. A
     * reader that maps the ring later starts there, with every record sent counted as taken, and finds no mailbox
     * record.
     */
    public void discardUnread()
    {
        buffer.setMemory(0, capacity, (byte)0);
        buffer.setMemory(capacity + RingDescriptor.mailboxLineOffset(0), BitUtil.CACHE_LINE_LENGTH, (byte)0);
        buffer.setMemory(capacity + RingDescriptor.mailboxLineOffset(1), BitUtil.CACHE_LINE_LENGTH, (byte)0);
        buffer.putLongRelease(capacity + RingDescriptor.TAKEN_COUNT_OFFSET, sent);
        buffer.putLongRelease(headPositionIndex, tail);
        buffer.putLongRelease(cleanPositionIndex, tail);
        cleanCache = tail;
    }


    /**
     * Position up to which the consumer has read, as it last published it.
     *
     * @return the head position, in bytes since the ring was created.
     */
    public long consumerPosition()
    {
        return buffer.getLongVolatile(headPositionIndex);
    }
}
