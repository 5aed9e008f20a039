package io.ringport.daemon;

import io.ringport.core.RingportException;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingWriter;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The daemon's producing end of a service's port ring; the daemon is its only writer.
 */
final class PortWriter implements AutoCloseable
{
    private final RingFile file;
    private final RingWriter ring;
    /** The service's last consumer position that was one: a broken word must not accept connections for it. */
    private long acceptedPosition;

    private PortWriter(final RingFile file)
    {
        this.file = file;
        try
        {
            ring = new RingWriter(file.ring(), file.path().toString());
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
        acceptedPosition = Math.max(0, ring.producerPosition() - file.capacity());
        consumerPosition();
    }

    /** A new port ring in the home. */
    static PortWriter create(final Path home, final int capacity, final int maxMessageLength) throws IOException
    {
        return new PortWriter(RingFile.create(home, RingKind.PORT, capacity, maxMessageLength, 0, RingFile.newToken()));
    }

    /** Take over the port ring of a dead daemon, to tell the orphan that still reads it to exit. */
    static PortWriter attach(final Path port)
    {
        final PortWriter writer = new PortWriter(RingFile.map(port, RingKind.PORT, null));
        // The dead daemon may have died in the middle of a claim.
        writer.ring.clearUnpublished();
        return writer;
    }

    Path path()
    {
        return file.path();
    }

    /**
     * Append a record.
     *
     * @return the ring position just after the record, or -1 when the port is full.
     * @throws RingportException ({@code PROTOCOL_VIOLATION}) when the service wrote a consumer position that is not
     *                           one: its port takes no more records until the daemon resets it.
     */
    long append(final PortRecord record)
    {
        final int length = record.encodedLength();
        final int index = ring.tryClaim(record.typeId(), length);
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            return -1;
        }
        record.encode(ring.buffer(), index);
        ring.commit();
        file.signalConsumer();
        return ring.producerPosition();
    }

    /**
     * Position up to which the service has read: records before it were accepted. The service writes it, so it is
     * taken only while it is one (not behind the last one taken, not ahead of what was written, at most a ring
     * behind); otherwise the last one that was stands.
     */
    long consumerPosition()
    {
        final long head = ring.consumerPosition();
        final long tail = ring.producerPosition();
        if (head >= acceptedPosition && head <= tail && tail - head <= file.capacity())
        {
            acceptedPosition = head;
        }
        return acceptedPosition;
    }

    /** Are the consumer positions the service last wrote a consumer's? A new instance's reader refuses others. */
    boolean consumerPositionsAreSound()
    {
        return ring.consumerPositionsAreSound();
    }

    /** Forget every unread record; only while no service instance runs, so the daemon is the only party. */
    void discardPending()
    {
        ring.discardUnread();
        acceptedPosition = ring.producerPosition();
    }

    public void close()
    {
        file.close();
    }
}
