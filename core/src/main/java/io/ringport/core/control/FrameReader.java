package io.ringport.core.control;

import io.ringport.core.RingportException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import static io.ringport.core.control.ControlProtocol.LENGTH_FIELD_LENGTH;
import static io.ringport.core.control.ControlProtocol.HEADER_LENGTH;
import static io.ringport.core.control.ControlProtocol.MAX_FRAME_LENGTH;

/**
 * Reassembles control frames from a byte stream, blocking or not, and refuses oversized ones before buffering them.
 */
public final class FrameReader
{
    private final ByteBuffer lengthField = ByteBuffer.allocate(LENGTH_FIELD_LENGTH);
    private ByteBuffer frame;

    /**
     * Read what the channel has and return the next whole frame, if one is complete.
     *
     * @param channel to read from; a non-blocking channel may return no bytes.
     * @return the next frame, or null when more bytes are needed.
     * @throws IOException       on a read error, or {@link java.io.EOFException} at end of stream.
     * @throws RingportException when the peer breaks the protocol.
     */
    public ControlFrame read(final ReadableByteChannel channel) throws IOException
    {
        if (null == frame)
        {
            if (!fill(channel, lengthField))
            {
                return null;
            }
            final int length = lengthField.flip().getInt();
            lengthField.clear();
            if (length < HEADER_LENGTH || length > MAX_FRAME_LENGTH)
            {
                throw ControlCodec.violation("frame length " + length + " outside " + HEADER_LENGTH + ".." +
                    MAX_FRAME_LENGTH);
            }
            frame = ByteBuffer.allocate(length);
        }
        if (!fill(channel, frame))
        {
            return null;
        }
        final ByteBuffer complete = frame.flip();
        frame = null;
        return ControlCodec.decode(complete);
    }

    /**
     * Read one whole frame from a blocking channel.
     *
     * @param channel a blocking channel.
     * @return the frame.
     * @throws IOException on a read error or end of stream.
     */
    public ControlFrame readBlocking(final ReadableByteChannel channel) throws IOException
    {
        ControlFrame next;
        do
        {
            next = read(channel);
        }
        while (null == next);
        return next;
    }

    /** Returns true once the buffer is full, false when the channel has no more bytes for now. */
    private static boolean fill(final ReadableByteChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer);
            if (read < 0)
            {
                throw new EOFException("control session closed by peer");
            }
            if (0 == read)
            {
                return false;
            }
        }
        return true;
    }
}
