package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import static io.ringport.core.ring.RingDescriptor.ACK_OFFSET;
import static io.ringport.core.ring.RingDescriptor.ALIGNMENT;
import static io.ringport.core.ring.RingDescriptor.CLEAN_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.HEADER_LENGTH;
import static io.ringport.core.ring.RingDescriptor.HEAD_POSITION_OFFSET;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_ACK_OFFSET;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_MAX_PAYLOAD;
import static io.ringport.core.ring.RingDescriptor.MAILBOX_PAYLOAD_OFFSET;
import static io.ringport.core.ring.RingDescriptor.PADDING_TYPE_ID;
import static io.ringport.core.ring.RingDescriptor.TRAILER_LENGTH;
import static org.agrona.BitUtil.align;

/**
 * The consuming end of a single-producer ring ({@link RingDescriptor}) whose producer, a {@link RingWriter}, is in
 * another, untrusted process.
 * <p>
 * It polls the header word at its head: a record publishes itself there, so an answer reaches a caught-up reader in
 * the line that carries it. It publishes its head after each pass, and zeroes what it read when it finds nothing
 * more to read, or has a quarter of the ring read and not yet zeroed; then it
 * publishes the clean position, which bounds the producer. It takes a record from the mailbox when the mailbox
 * line of the next record holds it, and hands the handler that line; it counts the records it takes, which a
 * {@link RingWriter} paired with it sends back as its acknowledgement, and keeps the producer's latest
 * acknowledgement of the reverse ring for that writer. Every record length and type is checked
 * against the ring's bounds before the payload is touched: a corrupt or hostile producer makes it throw
 * {@link RingportException} ({@link ErrorCode#PROTOCOL_VIOLATION}), never read out of bounds or loop forever.
 */
public final class RingReader
{
    // Unsafe's ordered field access rather than VarHandles: as cheap once compiled, and far cheaper in the
    // interpreter, which runs a blocking reader's code after a long sleep (measured: the wake benchmark).
    private static final long TAKEN_FIELD = UnsafeApi.objectFieldOffset(RingReader.class, "taken");
    private static final long PEER_ACK_FIELD = UnsafeApi.objectFieldOffset(RingReader.class, "peerAck");

    private final AtomicBuffer buffer;
    /** The same region's polled and published words, unchecked: the hot path's. */
    private final RingWords words;
    private final int capacity;
    private final int mask;
    private final int headPositionIndex;
    private final int cleanPositionIndex;
    private final int takenCountIndex;
    private final int maxRecordLength;
    private final int cleanThreshold;
    private final String name;
    /**
     * Ours alone: the producer can rewrite the shared words, but they are only ever stored, and read back only
     * when a reader is made.
     */
    private long head;
    private long clean;
    private boolean reading;
    /** Records taken, mailbox and ring: written here only, read by a paired writer on any thread. */
    private long taken;
    /** The producer's latest acknowledgement of the reverse ring: written here only, read by a paired writer. */
    private long peerAck;

    /**
     * A reader over a ring region with its trailer, continuing from the consumer positions and count it holds.
     *
     * @param buffer the ring region, capacity + {@link RingDescriptor#TRAILER_LENGTH} bytes.
     * @param name   what to call this ring in error messages (its path, say).
     * @throws RingportException when the positions are not a consumer's (an earlier reader broke them).
     */
    public RingReader(final AtomicBuffer buffer, final String name)
    {
        this.buffer = buffer;
        this.words = new RingWords(buffer);
        this.capacity = buffer.capacity() - TRAILER_LENGTH;
        this.mask = capacity - 1;
        this.headPositionIndex = capacity + HEAD_POSITION_OFFSET;
        this.cleanPositionIndex = capacity + CLEAN_POSITION_OFFSET;
        this.takenCountIndex = capacity + RingDescriptor.TAKEN_COUNT_OFFSET;
        this.maxRecordLength = RingDescriptor.maxRecordPayload(capacity) + HEADER_LENGTH;
        this.cleanThreshold = capacity >> 2;
        this.name = name;
        final long head = buffer.getLongVolatile(headPositionIndex);
        final long clean = buffer.getLongVolatile(cleanPositionIndex);
        if (!RingDescriptor.isConsumerPair(head, clean, capacity))
        {
            throw corrupt("consumer position " + head + " and clean position " + clean + " are not a consumer's");
        }
        this.head = head;
        this.clean = clean;
        // A reader before us may have taken mailbox records, which left no position behind.
        this.taken = buffer.getLongVolatile(takenCountIndex);
        checkMailboxNotAhead(capacity + RingDescriptor.mailboxLineOffset(0));
        checkMailboxNotAhead(capacity + RingDescriptor.mailboxLineOffset(1));
        if (head != clean)
        {
            // A reader before us read these and did not zero them: do it before looking at the head, which may be a
            // ring past the clean position.
            cleanBehind(head);
        }
    }

    /**
     * Take up to {@code limit} records off the ring and hand each to the handler.
     *
     * @param handler for each record.
     * @param limit   most records to read in this call.
     * @return how many records were handed to the handler.
     * @throws RingportException when the ring holds a record that breaks the format.
     */
    public int read(final RecordHandler handler, final int limit)
    {
        // The empty look stays small enough to inline into a polling loop; what there is, is read apart. The head
        // first, then the mailbox: a record at the head was published after any mailbox record sent before it.
        final long header = words.getLongVolatile((int)head & mask);
        if (0 != header || RingDescriptor.isMailboxTurn(words.getLongVolatile(mailboxLine()), taken))
        {
            return readFrom(header, handler, limit);
        }
        if (head != clean)
        {
            // Nothing to read: a good time to zero what was read, after whatever the handlers sent.
            cleanBehind(head);
        }
        return 0;
    }

    private int readFrom(final long firstHeader, final RecordHandler handler, final int limit)
    {
        if (reading)
        {
            // The pass under way has not stored how far it got: a nested one would deliver it again, and zero it.
            throw new IllegalStateException("ring " + name + ": read from inside a handler of the same reader");
        }
        reading = true;
        final AtomicBuffer buffer = this.buffer;
        long header = firstHeader;
        long position = head;
        int recordsRead = 0;
        try
        {
            while (recordsRead < limit)
            {
                // Looked at after the header at the head was read: a mailbox record sent before that one shows.
                final int line = mailboxLine();
                final long word = words.getLongVolatile(line);
                if (RingDescriptor.isMailboxTurn(word, taken))
                {
                    recordsRead++;
                    takeMailbox(word, line, handler);
                }
                else
                {
                    if (0 == header)
                    {
                        break;
                    }
                    final int index = (int)position & mask;
                    final int recordLength = (int)header;
                    final int typeId = (int)(header >> 32);
                    if (!RingDescriptor.isRecordHeader(header, index, capacity))
                    {
                        throw badHeader(recordLength, typeId, index);
                    }
                    final long next = position + align(recordLength, ALIGNMENT);
                    if (next - clean > capacity)
                    {
                        throw pastRoom(recordLength, index);
                    }
                    position = next;
                    if (PADDING_TYPE_ID != typeId)
                    {
                        recordsRead++;
                        take(words.getLong(index + ACK_OFFSET));
                        handler.onRecord(typeId, buffer, index + HEADER_LENGTH, recordLength - HEADER_LENGTH);
                    }
                    if (position - clean >= capacity)
                    {
                        // A lap past what is clean: the word there is an old record's, which the clean-up below
                        // zeroes.
                        break;
                    }
                }
                header = words.getLongVolatile((int)position & mask);
            }
        }
        finally
        {
            reading = false;
            this.head = position;
            // The count before the head: a successor of a reader that dies between the two delivers the pass's ring
            // records again (as ever) and counts them twice, so it acknowledges more than was sent, which the
            // producer refuses, rather than expecting a mailbox number already taken.
            words.putLongRelease(takenCountIndex, taken);
            words.putLongRelease(headPositionIndex, position);
            if (position - clean >= cleanThreshold)
            {
                // A reader that never runs out of records still gives the producer its room back.
                cleanBehind(position);
            }
        }

        return recordsRead;
    }

    /**
     * Refuse a mailbox record numbered past the next one: the producer wrote it on acknowledgements of a reader
     * before us that did not live to store its count, so what that reader took is not known.
     */
    private void checkMailboxNotAhead(final int line)
    {
        final long word = buffer.getLongVolatile(line);
        if (0 != word && RingDescriptor.mailboxNumberAhead(word, taken) > 0)
        {
            throw corrupt("the mailbox holds record " + (word >>> 16) + ", past the " + taken + " records the " +
                "reader before this one took: its last pass did not end");
        }
    }

    /** Where the mailbox would hold the next record: the line of the number of records taken. */
    private int mailboxLine()
    {
        return capacity + RingDescriptor.mailboxLineOffset(taken);
    }

    /**
     * Take the record in a mailbox line, in place: the producer writes that line again only after the next record
     * is taken, by when this handler has returned.
     */
    private void takeMailbox(final long word, final int line, final RecordHandler handler)
    {
        final int typeId = RingDescriptor.mailboxType(word);
        final int length = RingDescriptor.mailboxLength(word);
        if (0 == typeId || length > MAILBOX_MAX_PAYLOAD)
        {
            throw corrupt("mailbox record type " + typeId + " with " + length + " bytes is not valid (types 1.." +
                RingDescriptor.MAILBOX_MAX_TYPE + ", lengths 0.." + MAILBOX_MAX_PAYLOAD + ")");
        }
        take(words.getLong(line + MAILBOX_ACK_OFFSET));
        handler.onRecord(typeId, buffer, line + MAILBOX_PAYLOAD_OFFSET, length);
    }

    /** Count a record taken, before its handler runs (a reply sent from it acknowledges it), and keep its ack. */
    private void take(final long ack)
    {
        UnsafeApi.putLongRelease(this, PEER_ACK_FIELD, ack);
        UnsafeApi.putLongRelease(this, TAKEN_FIELD, taken + 1);
    }

    /**
     * How many records this reader has taken, from the ring and the mailbox: what a writer paired with it sends
     * back as its acknowledgement. Any thread.
     *
     * @return the count since the ring was made (a reader continues its predecessor's).
     */
    public long recordsTaken()
    {
        return UnsafeApi.getLongAcquire(this, TAKEN_FIELD);
    }

    /**
     * The acknowledgement the producer of this ring sent last: how many records of the reverse ring its reader has
     * taken. Untrusted (the producer is another process). Any thread.
     *
     * @return the acknowledgement of the last record taken, 0 before any.
     */
    public long peerAcknowledgement()
    {
        return UnsafeApi.getLongAcquire(this, PEER_ACK_FIELD);
    }

    /**
     * Zero what was read and publish how far the ring is clean: the producer writes only over zeroes, so a non-zero
     * word at the head is always a published header. Records start cache lines, so no line zeroed here holds any of
     * a record the producer may be writing now.
     */
    private void cleanBehind(final long position)
    {
        if (position - clean > 0)
        {
            RingDescriptor.zero(buffer, capacity, clean, position);
            clean = position;
            words.putLongRelease(cleanPositionIndex, position);
        }
    }

    /**
     * Position up to which the consumer has read.
     *
     * @return the head position, in bytes since the ring was created.
     */
    public long consumerPosition()
    {
        return head;
    }

    /**
     * Is there nothing left to read right now? When there is not, what was read is zeroed, as by a {@link #read}
     * that finds nothing, so that a consumer that looks before it sleeps leaves the producer its room.
     *
     * @return true when no record is published at the consumer's head or in the mailbox.
     */
    public boolean isEmpty()
    {
        if (0 != words.getLongVolatile((int)head & mask) ||
            RingDescriptor.isMailboxTurn(words.getLongVolatile(mailboxLine()), taken))
        {
            return false;
        }
        if (head != clean)
        {
            cleanBehind(head);
        }
        return true;
    }

    private RingportException pastRoom(final int recordLength, final int index)
    {
        return corrupt("record length " + recordLength + " at index " + index + " runs past the room the producer " +
            "had, a ring from the clean position " + clean);
    }

    private RingportException badHeader(final int recordLength, final int typeId, final int index)
    {
        if (recordLength < HEADER_LENGTH || recordLength > capacity - index)
        {
            return corrupt("record length " + recordLength + " at index " + index + " does not fit the ring " +
                "(capacity " + capacity + ")");
        }
        return recordLength > maxRecordLength ?
            corrupt("record length " + recordLength + " at index " + index + " exceeds the ring's record limit " +
                maxRecordLength) :
            corrupt("record type " + typeId + " at index " + index + " is not valid");
    }

    private RingportException corrupt(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring " + name + ": " + reason);
    }
}
