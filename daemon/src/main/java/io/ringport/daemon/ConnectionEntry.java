package io.ringport.daemon;

import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;

import java.io.IOException;
import java.nio.file.Files;

/**
 * The daemon's record of one connection: its rings, its two ends, and where its CONNECT sits in the port ring.
 */
final class ConnectionEntry
{
    /** {@link #portPosition} of a connection whose CONNECT waits for the next instance, off the port. */
    static final long NOT_ON_PORT = -1;

    final long id;
    final ServiceEntry service;
    final Session client;
    /** Kept mapped for the traffic counts their producers keep in the headers. */
    final RingFile c2s;
    final RingFile s2c;
    /** The CONNECT record, to append again for the next instance when this one did not accept it. */
    final PortRecord.Connect record;
    /** Port ring position just after this connection's CONNECT record: accepted once the service reads past it. */
    long portPosition = NOT_ON_PORT;
    boolean clientReleased;
    boolean serviceReleased;

    ConnectionEntry(
        final long id,
        final ServiceEntry service,
        final Session client,
        final RingFile c2s,
        final RingFile s2c,
        final PortRecord.Connect record)
    {
        this.id = id;
        this.service = service;
        this.client = client;
        this.c2s = c2s;
        this.s2c = s2c;
        this.record = record;
    }

    boolean isAccepted()
    {
        return NOT_ON_PORT != portPosition && service.port.consumerPosition() >= portPosition;
    }

    /** Unmap the rings and delete their files. */
    void removeFiles() throws IOException
    {
        c2s.close();
        s2c.close();
        Files.deleteIfExists(c2s.path());
        Files.deleteIfExists(s2c.path());
    }
}
