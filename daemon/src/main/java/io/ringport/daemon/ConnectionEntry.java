package io.ringport.daemon;

import java.nio.file.Path;

/**
 * The daemon's record of one connection: its files, its two ends, and where its CONNECT sits in the port ring.
 */
final class ConnectionEntry
{
    final long id;
    final ServiceEntry service;
    final Session client;
    final Path c2sPath;
    final Path s2cPath;
    /** Port ring position just after this connection's CONNECT record: accepted once the service reads past it. */
    final long portPosition;
    boolean clientReleased;
    boolean serviceReleased;

    ConnectionEntry(
        final long id,
        final ServiceEntry service,
        final Session client,
        final Path c2sPath,
        final Path s2cPath,
        final long portPosition)
    {
        this.id = id;
        this.service = service;
        this.client = client;
        this.c2sPath = c2sPath;
        this.s2cPath = s2cPath;
        this.portPosition = portPosition;
    }

    boolean isAccepted()
    {
        return service.port.consumerPosition() >= portPosition;
    }
}
