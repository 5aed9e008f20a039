package io.ringport.core.message;

/**
 * Layout of a message record on a connection ring (c2s or s2c).
 * <p>
 * The Agrona record type carries the message kind and fragment flags; the payload starts with the correlation id:
 * <pre>
 *  record type:  bits 0-3 kind (ONE_WAY, REQUEST, REPLY, CLOSE), bit 4 FRAGMENT_BEGIN, bit 5 FRAGMENT_END
 *  payload:      correlation id (8 bytes) | message bytes
 * </pre>
 * An unfragmented message has both fragment bits set.
 */
public final class MessageDescriptor
{
    /** Offset of the correlation id in the record payload. */
    public static final int CORRELATION_ID_OFFSET = 0;

    /** Length of the message header in the record payload. */
    public static final int HEADER_LENGTH = 8;

    /** Kind: a message that expects no reply. */
    public static final int KIND_ONE_WAY = 1;

    /** Kind: a request; the peer replies with the same correlation id. */
    public static final int KIND_REQUEST = 2;

    /** Kind: a reply to the request with the same correlation id. */
    public static final int KIND_REPLY = 3;

    /** Kind: the producer closed its end; nothing follows. */
    public static final int KIND_CLOSE = 4;

    /** Mask of the kind bits in a record type. */
    public static final int KIND_MASK = 0x0F;

    /** Flag: first fragment of a message. */
    public static final int FRAGMENT_BEGIN = 0x10;

    /** Flag: last fragment of a message. */
    public static final int FRAGMENT_END = 0x20;

    /** Both fragment flags: a whole message in one record. */
    public static final int UNFRAGMENTED = FRAGMENT_BEGIN | FRAGMENT_END;

    private static final int KNOWN_BITS = KIND_MASK | UNFRAGMENTED;

    private MessageDescriptor()
    {
    }

    /**
     * Record type for an unfragmented message of a kind.
     *
     * @param kind one of the KIND_ constants.
     * @return the record type to write.
     */
    public static int typeId(final int kind)
    {
        return kind | UNFRAGMENTED;
    }

    /**
     * The kind bits of a record type.
     *
     * @param typeId as read from the ring.
     * @return the kind.
     */
    public static int kind(final int typeId)
    {
        return typeId & KIND_MASK;
    }

    /**
     * Is a record type read from shared memory one that this layout defines?
     *
     * @param typeId as read from the ring.
     * @return true when the kind is known and no unknown bit is set.
     */
    public static boolean isValidTypeId(final int typeId)
    {
        final int kind = typeId & KIND_MASK;
        return (typeId & ~KNOWN_BITS) == 0 && kind >= KIND_ONE_WAY && kind <= KIND_CLOSE;
    }
}
