package io.ringport.jmh;

import java.util.Locale;

/**
 * The transports compared, by the names the benchmarks take as {@code @Param transport}.
 */
public enum Transport
{
    /** Ringport one-way messages each way, polled in invoker mode. */
    RINGPORT,
    /** Ringport {@code requestSync} in invoker mode: request and reply, a future and a reply copy per call. */
    RINGPORT_SYNC,
    /**
     * Ringport blocking: both ends on the BLOCKING wait strategy; one-way send and invoker poll, the benchmark thread
     * asleep on the connection's doorbell when the echo is not there yet.
     */
    RINGPORT_BLOCKING,
    /** Raw shared-memory flag ping-pong: the physical limit. */
    RAW,
    /** The raw ping-pong with the payload on the line after the flag's: what a second line per hop costs. */
    RAW_2LINE,
    /**
     * A bare Agrona one-to-one ring each way over a mapped file: the standard Java ring, and Ringport's record format
     * until layout 2.
     */
    AGRONA,
    /**
     * Ringport's own ring ({@code RingWriter}, {@code RingReader}) each way over a mapped file, with none of the
     * framing, connection and API above it: what those layers cost.
     */
    RING,
    /** Aeron IPC with the media driver in the partner process. */
    AERON,
    /** Chronicle Queue, one queue each way. */
    CHRONICLE,
    /** JDK Unix domain socket, blocking. */
    UDS,
    /** JDK TCP loopback, blocking, no Nagle. */
    TCP;

    /**
     * The transport a {@code @Param} names.
     *
     * @param id e.g. {@code ringport-sync}.
     * @return the transport.
     */
    public static Transport of(final String id)
    {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /**
     * Connect to a freshly started partner.
     *
     * @param role what the partner does with each message.
     * @param size of each message, in bytes.
     * @param wait how Ringport's ends wait (ringport and ringport-sync; the other transports spin or block as
     *             they do).
     * @return the open link; close it to stop the partner.
     */
    public Link open(final Role role, final int size, final WaitMode wait)
    {
        return switch (this)
        {
            case RINGPORT -> new RingportLink(role, size, wait, RingportLink.Style.POLL);
            case RINGPORT_SYNC -> new RingportLink(role, size, wait, RingportLink.Style.REQUEST);
            case RINGPORT_BLOCKING -> new RingportLink(role, size, WaitMode.BLOCKING, RingportLink.Style.POLL);
            case RAW -> new RawLink(size, false);
            case RAW_2LINE -> new RawLink(size, true);
            case AGRONA -> new AgronaLink(role, size, false);
            case RING -> new AgronaLink(role, size, true);
            case AERON -> new AeronLink(role, size);
            case CHRONICLE -> new ChronicleLink(role, size);
            case UDS -> new SocketLink(role, size, true);
            case TCP -> new SocketLink(role, size, false);
        };
    }
}
