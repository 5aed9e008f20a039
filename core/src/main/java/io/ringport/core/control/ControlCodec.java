package io.ringport.core.control;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage.*;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ringport.core.control.ControlProtocol.*;

/**
 * Encoder and decoder of control frames, side by side so that each message's layout is written once.
 */
public final class ControlCodec
{
    private ControlCodec()
    {
    }

    /**
     * Encode a message as a whole frame, length prefix included.
     *
     * @param requestId id of the request, or of the request answered; 0 for events.
     * @param message   to encode.
     * @return a buffer ready to write (position 0, limit at the end of the frame).
     */
    public static ByteBuffer encode(final long requestId, final ControlMessage message)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH_FIELD_LENGTH + HEADER_LENGTH + bodyLength(message));
        buffer.putInt(0).putShort(VERSION).putShort(typeOf(message)).putLong(requestId);
        encodeBody(message, buffer);
        buffer.putInt(0, buffer.position() - LENGTH_FIELD_LENGTH);
        return buffer.flip();
    }

    /**
     * Decode one frame whose length prefix was already taken off.
     *
     * @param frame the bytes after the length prefix, exactly one frame.
     * @return the frame.
     * @throws RingportException ({@link ErrorCode#PROTOCOL_VIOLATION}) saying what is wrong with the frame.
     */
    public static ControlFrame decode(final ByteBuffer frame)
    {
        try
        {
            final short version = frame.getShort();
            if (VERSION != version)
            {
                throw violation("protocol version " + version + ", this side speaks " + VERSION);
            }
            final short type = frame.getShort();
            final long requestId = frame.getLong();
            final ControlMessage message = decodeBody(type, frame);
            if (frame.hasRemaining())
            {
                throw violation(frame.remaining() + " bytes left over after frame type " + type);
            }
            return new ControlFrame(requestId, message);
        }
        catch (final BufferUnderflowException ex)
        {
            throw violation("frame ends early");
        }
    }

    private static short typeOf(final ControlMessage message)
    {
        if (message instanceof Hello)
        {
            return HELLO;
        }
        if (message instanceof HelloOk)
        {
            return HELLO_OK;
        }
        if (message instanceof Connect)
        {
            return CONNECT;
        }
        if (message instanceof Connected)
        {
            return CONNECTED;
        }
        if (message instanceof CheckIn)
        {
            return CHECK_IN;
        }
        if (message instanceof CheckedIn)
        {
            return CHECKED_IN;
        }
        if (message instanceof Release)
        {
            return RELEASE;
        }
        if (message instanceof ListServices)
        {
            return LIST;
        }
        if (message instanceof ServiceList)
        {
            return SERVICE_LIST;
        }
        if (message instanceof Shutdown)
        {
            return SHUTDOWN;
        }
        if (message instanceof Ok)
        {
            return OK;
        }
        if (message instanceof ControlMessage.Error)
        {
            return ERROR;
        }
        if (message instanceof Interrupted)
        {
            return INTERRUPTED;
        }
        if (message instanceof Kickstart)
        {
            return KICKSTART;
        }
        if (message instanceof Stop)
        {
            return STOP;
        }
        if (message instanceof Register)
        {
            return REGISTER;
        }
        if (message instanceof Unregister)
        {
            return UNREGISTER;
        }
        return INVALIDATED;
    }

    private static int bodyLength(final ControlMessage message)
    {
        // Generous upper bound: every string may take up to three bytes per char in UTF-8.
        if (message instanceof ServiceList list)
        {
            int length = 4;
            for (final ServiceInfo info : list.services())
            {
                length += stringBound(info.name()) + stringBound(info.state()) + 24;
            }
            return length;
        }
        if (message instanceof Connected c)
        {
            return 8 + stringBound(c.c2sPath()) + stringBound(c.s2cPath()) + 2 + c.token().length + 4;
        }
        if (message instanceof CheckIn c)
        {
            return stringBound(c.service()) + stringBound(c.token());
        }
        if (message instanceof Connect c)
        {
            return stringBound(c.service());
        }
        if (message instanceof CheckedIn c)
        {
            return stringBound(c.portPath());
        }
        if (message instanceof ControlMessage.Error e)
        {
            return 4 + stringBound(e.message());
        }
        if (message instanceof Interrupted i)
        {
            return 8 + stringBound(i.reason());
        }
        if (message instanceof Invalidated i)
        {
            return 12 + stringBound(i.reason());
        }
        if (message instanceof Kickstart k)
        {
            return stringBound(k.service()) + 1;
        }
        if (message instanceof Stop stop)
        {
            return stringBound(stop.service());
        }
        if (message instanceof Register r)
        {
            return stringBound(r.definitionFile());
        }
        if (message instanceof Unregister u)
        {
            return stringBound(u.service());
        }
        return 8;
    }

    private static void encodeBody(final ControlMessage message, final ByteBuffer buffer)
    {
        if (message instanceof Hello h)
        {
            buffer.putLong(h.pid());
        }
        else if (message instanceof HelloOk h)
        {
            buffer.putLong(h.daemonPid());
        }
        else if (message instanceof Connect c)
        {
            putString(buffer, c.service());
        }
        else if (message instanceof Connected c)
        {
            buffer.putLong(c.connectionId());
            putString(buffer, c.c2sPath());
            putString(buffer, c.s2cPath());
            putBytes(buffer, c.token());
            buffer.putInt(c.maxMessageLength());
        }
        else if (message instanceof CheckIn c)
        {
            putString(buffer, c.service());
            putString(buffer, c.token());
        }
        else if (message instanceof CheckedIn c)
        {
            putString(buffer, c.portPath());
        }
        else if (message instanceof Release r)
        {
            buffer.putLong(r.connectionId());
        }
        else if (message instanceof ServiceList list)
        {
            buffer.putInt(list.services().size());
            for (final ServiceInfo info : list.services())
            {
                putString(buffer, info.name());
                putString(buffer, info.state());
                buffer.putLong(info.pid()).putLong(info.launches()).putLong(info.connections());
            }
        }
        else if (message instanceof ControlMessage.Error e)
        {
            buffer.putInt(e.code());
            putString(buffer, e.message());
        }
        else if (message instanceof Interrupted i)
        {
            buffer.putLong(i.connectionId());
            putString(buffer, i.reason());
        }
        else if (message instanceof Invalidated i)
        {
            buffer.putLong(i.connectionId()).putInt(i.code());
            putString(buffer, i.reason());
        }
        else if (message instanceof Kickstart k)
        {
            putString(buffer, k.service());
            buffer.put(k.kill() ? TRUE : FALSE);
        }
        else if (message instanceof Stop stop)
        {
            putString(buffer, stop.service());
        }
        else if (message instanceof Register r)
        {
            putString(buffer, r.definitionFile());
        }
        else if (message instanceof Unregister u)
        {
            putString(buffer, u.service());
        }
    }

    private static ControlMessage decodeBody(final short type, final ByteBuffer frame)
    {
        switch (type)
        {
            case HELLO:
                return new Hello(frame.getLong());
            case HELLO_OK:
                return new HelloOk(frame.getLong());
            case CONNECT:
                return new Connect(getString(frame));
            case CONNECTED:
                return new Connected(frame.getLong(), getString(frame), getString(frame), getBytes(frame), frame.getInt());
            case CHECK_IN:
                return new CheckIn(getString(frame), getString(frame));
            case CHECKED_IN:
                return new CheckedIn(getString(frame));
            case RELEASE:
                return new Release(frame.getLong());
            case LIST:
                return new ListServices();
            case SERVICE_LIST:
            {
                final int count = frame.getInt();
                if (count < 0 || count > frame.remaining() / 28)
                {
                    throw violation("service list count " + count + " does not fit the frame");
                }
                final List<ServiceInfo> services = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    services.add(new ServiceInfo(
                        getString(frame), getString(frame), frame.getLong(), frame.getLong(), frame.getLong()));
                }
                return new ServiceList(List.copyOf(services));
            }
            case SHUTDOWN:
                return new Shutdown();
            case OK:
                return new Ok();
            case ERROR:
                return new ControlMessage.Error(frame.getInt(), getString(frame));
            case INTERRUPTED:
                return new Interrupted(frame.getLong(), getString(frame));
            case INVALIDATED:
                return new Invalidated(frame.getLong(), frame.getInt(), getString(frame));
            case KICKSTART:
                return new Kickstart(getString(frame), getBoolean(frame));
            case STOP:
                return new Stop(getString(frame));
            case REGISTER:
                return new Register(getString(frame));
            case UNREGISTER:
                return new Unregister(getString(frame));
            default:
                throw violation("unknown frame type " + type);
        }
    }

    private static int stringBound(final String s)
    {
        return 2 + s.length() * 3;
    }

    private static void putString(final ByteBuffer buffer, final String s)
    {
        putBytes(buffer, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void putBytes(final ByteBuffer buffer, final byte[] bytes)
    {
        if (bytes.length > MAX_STRING_LENGTH)
        {
            throw new IllegalArgumentException("field of " + bytes.length + " bytes exceeds " + MAX_STRING_LENGTH);
        }
        buffer.putShort((short)bytes.length).put(bytes);
    }

    private static boolean getBoolean(final ByteBuffer frame)
    {
        final byte value = frame.get();
        if (TRUE != value && FALSE != value)
        {
            throw violation("boolean field holds " + value + ", expected " + FALSE + " or " + TRUE);
        }
        return TRUE == value;
    }

    private static String getString(final ByteBuffer frame)
    {
        return new String(getBytes(frame), StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(final ByteBuffer frame)
    {
        final int length = Short.toUnsignedInt(frame.getShort());
        if (length > MAX_STRING_LENGTH || length > frame.remaining())
        {
            throw violation("field length " + length + " does not fit the frame");
        }
        final byte[] bytes = new byte[length];
        frame.get(bytes);
        return bytes;
    }

    static RingportException violation(final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "control protocol: " + reason);
    }
}
