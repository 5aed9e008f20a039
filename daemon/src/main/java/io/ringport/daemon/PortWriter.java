package io.ringport.daemon;

import io.ringport.core.RingportException;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingWriter;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The daemon's producing end of a service's port ring; the daemon is its only writer.
 */
final class PortWriter implements AutoCloseable
{
    private final RingFile file;
    private final RingWriter ring;
    private final int headPositionIndex;
    private final int tailPositionIndex;

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
        headPositionIndex = file.capacity() + RingDescriptor.HEAD_POSITION_OFFSET;
        tailPositionIndex = file.capacity() + RingDescriptor.TAIL_POSITION_OFFSET;
    }

    /** A new port ring in the home. */
    static PortWriter create(final Path home, final int capacity, final int maxMessageLength) throws IOException
    {
        return new PortWriter(RingFile.create(home, RingKind.PORT, capacity, maxMessageLength, 0, RingFile.newToken()));
    }

    /** Take over the port ring of a dead daemon, to tell the orphan that still reads it to exit. */
    static PortWriter attach(final Path port)
    {
        return new PortWriter(RingFile.map(port, RingKind.PORT, null));
    }

    Path path()
    {
        return file.path();
    }

    /**
     * Append a record.
     *
     * @return the ring position just after the record, or -1 when the port is full (or its head is corrupt).
     */
    long append(final PortRecord record)
    {
        final int length = record.encodedLength();
        final int index;
        try
        {
            index = ring.tryClaim(record.typeId(), length);
        }
        catch (final RingportException ex)
        {
            // The service wrote a head position that is not one: its port takes no more records.
            return -1;
        }
        if (RingWriter.INSUFFICIENT_CAPACITY == index)
        {
            return -1;
        }
        record.encode(ring.buffer(), index);
        ring.commit();
        file.signalConsumer();
        return ring.producerPosition();
    }

    /** Position up to which the service has read: records before it were accepted. */
    long consumerPosition()
    {
        return ring.consumerPosition();
    }

    /** Forget every unread record; only while no service instance runs, so the daemon is the only party. */
    void discardPending()
    {
        final AtomicBuffer buffer = file.ring();
        buffer.putLongRelease(headPositionIndex, buffer.getLongVolatile(tailPositionIndex));
    }

    public void close()
    {
        file.close();
    }
}
