package io.ringport.core.control;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage.CheckIn;
import io.ringport.core.control.ControlMessage.CheckedIn;
import io.ringport.core.control.ControlMessage.Connect;
import io.ringport.core.control.ControlMessage.Connected;
import io.ringport.core.control.ControlMessage.Hello;
import io.ringport.core.control.ControlMessage.HelloOk;
import io.ringport.core.control.ControlMessage.Interrupted;
import io.ringport.core.control.ControlMessage.Invalidated;
import io.ringport.core.control.ControlMessage.Kickstart;
import io.ringport.core.control.ControlMessage.ListServices;
import io.ringport.core.control.ControlMessage.Ok;
import io.ringport.core.control.ControlMessage.Register;
import io.ringport.core.control.ControlMessage.Release;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.core.control.ControlMessage.ServiceList;
import io.ringport.core.control.ControlMessage.Shutdown;
import io.ringport.core.control.ControlMessage.Stop;
import io.ringport.core.control.ControlMessage.Unregister;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.ringport.core.control.ControlProtocol.HEADER_LENGTH;
import static io.ringport.core.control.ControlProtocol.LENGTH_FIELD_LENGTH;
import static io.ringport.core.control.ControlProtocol.MAX_FRAME_LENGTH;
import static io.ringport.core.control.ControlProtocol.MAX_STRING_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlCodecTest
{
    private static final List<ControlFrame> EVERY_MESSAGE = List.of(
        new ControlFrame(1, new Hello(4242)),
        new ControlFrame(1, new HelloOk(1)),
        new ControlFrame(2, new Connect("io.ringport.echo")),
        new ControlFrame(2, new Connected(
            9, "/dev/shm/ringport-émile/c2s-0a.ring", "/proc/12/fd/7", new byte[16], 16 * 1024 * 1024)),
        new ControlFrame(3, new CheckIn("io.ringport.echo", "5f3c9a")),
        new ControlFrame(3, new CheckedIn("/dev/shm/ringport-u/port-01.ring")),
        new ControlFrame(4, new Release(9)),
        new ControlFrame(5, new ListServices()),
        new ControlFrame(5, new ServiceList(List.of(
            new ServiceInfo("a", "RUNNING", 300, 2, 5), new ServiceInfo("b", "IDLE", 0, 0, 0)))),
        new ControlFrame(6, new ServiceList(List.of())),
        new ControlFrame(7, new Shutdown()),
        new ControlFrame(7, new Ok()),
        new ControlFrame(8, new ControlMessage.Error(
            ErrorCode.UNKNOWN_SERVICE.wireCode(), "service 'x' is not registered (known: a, b)")),
        new ControlFrame(0, new Interrupted(9, "service instance 300 died")),
        new ControlFrame(0, new Invalidated(9, ErrorCode.SERVICE_FAILED.wireCode(), "service 'a' failed to start")),
        new ControlFrame(9, new Kickstart("io.ringport.echo", true)),
        new ControlFrame(9, new Kickstart("io.ringport.echo", false)),
        new ControlFrame(10, new Stop("io.ringport.echo")),
        new ControlFrame(11, new Register("/home/émile/.config/ringport/services/echo.properties")),
        new ControlFrame(12, new Unregister("io.ringport.echo")),
        new ControlFrame(Long.MAX_VALUE, new Connect("")));

    @Test
    void everyMessageTypeIsCovered()
    {
        final Set<Class<?>> covered =
            EVERY_MESSAGE.stream().map(frame -> frame.message().getClass()).collect(Collectors.toSet());

        assertEquals(Set.of(ControlMessage.class.getPermittedSubclasses()), covered);
    }

    @Test
    void everyMessageRoundTripsThroughAStream() throws IOException
    {
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (final ControlFrame frame : EVERY_MESSAGE)
        {
            stream.write(bytes(frame));
        }

        final ReadableByteChannel channel = channel(stream.toByteArray());
        final FrameReader reader = new FrameReader();
        for (final ControlFrame frame : EVERY_MESSAGE)
        {
            assertEquals(frame, reader.readBlocking(channel));
        }
        assertThrows(EOFException.class, () -> reader.readBlocking(channel));
    }

    @Test
    void framesArriveOneByteAtATimeOnANonBlockingChannel() throws IOException
    {
        final byte[] first = bytes(EVERY_MESSAGE.get(3));
        final byte[] second = bytes(EVERY_MESSAGE.get(8));
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(first);
        stream.write(second);
        final byte[] sent = stream.toByteArray();

        final FrameReader reader = new FrameReader();
        final List<ControlFrame> frames = new ArrayList<>();
        final List<Integer> completedAfterByte = new ArrayList<>();
        final Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink();
            Pipe.SourceChannel source = pipe.source())
        {
            source.configureBlocking(false);
            assertNull(reader.read(source));

            for (int i = 0; i < sent.length; i++)
            {
                sink.write(ByteBuffer.wrap(sent, i, 1));
                final ControlFrame frame = reader.read(source);
                if (null != frame)
                {
                    frames.add(frame);
                    completedAfterByte.add(i);
                }
            }
        }

        assertEquals(List.of(EVERY_MESSAGE.get(3), EVERY_MESSAGE.get(8)), frames);
        assertEquals(List.of(first.length - 1, sent.length - 1), completedAfterByte);
    }

    @Test
    void oversizedLengthIsRefusedBeforeTheBodyIsRead()
    {
        // Only the prefix is sent: a reader that waited for the body would see end of stream instead.
        assertViolation(lengthPrefix(MAX_FRAME_LENGTH + 1), "frame length 262145 outside 12..262144");
        assertViolation(lengthPrefix(-1), "frame length -1 outside 12..262144");
    }

    @Test
    void lengthBelowHeaderIsRefused()
    {
        final byte[] frame = new byte[LENGTH_FIELD_LENGTH + HEADER_LENGTH - 1];
        ByteBuffer.wrap(frame).putInt(HEADER_LENGTH - 1);

        assertViolation(frame, "frame length 11 outside 12..262144");
    }

    @Test
    void otherVersionIsRefused()
    {
        final byte[] frame = bytes(new ControlFrame(1, new Hello(42)));
        ByteBuffer.wrap(frame).putShort(LENGTH_FIELD_LENGTH, (short)2);

        assertViolation(frame, "protocol version 2, this side speaks 1");
    }

    @Test
    void unknownTypeIsRefused()
    {
        final byte[] frame = bytes(new ControlFrame(1, new Hello(42)));
        ByteBuffer.wrap(frame).putShort(LENGTH_FIELD_LENGTH + 2, (short)99);

        assertViolation(frame, "unknown frame type 99");
    }

    @Test
    void trailingBytesAreRefused()
    {
        final byte[] hello = bytes(new ControlFrame(1, new Hello(42)));
        final byte[] frame = Arrays.copyOf(hello, hello.length + 3);
        ByteBuffer.wrap(frame).putInt(0, frame.length - LENGTH_FIELD_LENGTH);

        assertViolation(frame, "3 bytes left over after frame type 1");
    }

    @Test
    void bodyShorterThanItsTypeNeedsIsRefused()
    {
        final byte[] hello = bytes(new ControlFrame(1, new Hello(42)));
        final byte[] frame = Arrays.copyOf(hello, hello.length - 4);
        ByteBuffer.wrap(frame).putInt(0, frame.length - LENGTH_FIELD_LENGTH);

        assertViolation(frame, "frame ends early");
    }

    @Test
    void stringLengthBeyondTheFrameIsRefused()
    {
        final byte[] frame = bytes(new ControlFrame(2, new Connect("io.ringport.echo")));
        ByteBuffer.wrap(frame).putShort(LENGTH_FIELD_LENGTH + HEADER_LENGTH, (short)200);

        assertViolation(frame, "field length 200 does not fit the frame");
    }

    @Test
    void serviceCountBeyondTheFrameIsRefused()
    {
        final byte[] frame = bytes(EVERY_MESSAGE.get(8));
        ByteBuffer.wrap(frame).putInt(LENGTH_FIELD_LENGTH + HEADER_LENGTH, 1000);

        assertViolation(frame, "service list count 1000 does not fit the frame");
    }

    @Test
    void booleanOtherThanZeroOrOneIsRefused()
    {
        final byte[] frame = bytes(new ControlFrame(9, new Kickstart("a", true)));
        frame[frame.length - 1] = 2;

        assertViolation(frame, "boolean field holds 2, expected 0 or 1");
    }

    @Test
    void endOfStreamIsEofAtAndWithinAFrame()
    {
        final byte[] hello = bytes(new ControlFrame(1, new Hello(42)));

        assertThrows(EOFException.class, () -> new FrameReader().readBlocking(channel(new byte[0])));
        assertThrows(EOFException.class, () -> new FrameReader().readBlocking(channel(Arrays.copyOf(hello, 2))));
        assertThrows(EOFException.class, () -> new FrameReader().readBlocking(channel(Arrays.copyOf(hello, 10))));
    }

    @Test
    void encoderRefusesStringOverTheLimit()
    {
        assertThrows(IllegalArgumentException.class,
            () -> ControlCodec.encode(1, new Connect("x".repeat(MAX_STRING_LENGTH + 1))));
    }

    private static byte[] bytes(final ControlFrame frame)
    {
        final ByteBuffer buffer = ControlCodec.encode(frame.requestId(), frame.message());
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] lengthPrefix(final int length)
    {
        return ByteBuffer.allocate(LENGTH_FIELD_LENGTH).putInt(length).array();
    }

    private static ReadableByteChannel channel(final byte[] bytes)
    {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }

    private static void assertViolation(final byte[] stream, final String reason)
    {
        final RingportException ex =
            assertThrows(RingportException.class, () -> new FrameReader().readBlocking(channel(stream)));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertEquals("control protocol: " + reason, ex.getMessage());
    }
}
