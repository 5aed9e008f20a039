package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static io.ringport.core.ring.RingFileDescriptor.CAPACITY_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.CONSUMER_DOORBELL_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.CONSUMER_WAITER_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.CREATION_TIME_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.DOORBELL_UNUSED;
import static io.ringport.core.ring.RingFileDescriptor.DOORBELL_USED;
import static io.ringport.core.ring.RingFileDescriptor.LAYOUT_VERSION_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.MAGIC_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static io.ringport.core.ring.RingFileDescriptor.WAITER_AWAKE;
import static io.ringport.core.ring.RingFileDescriptor.WAITER_SLEEPING;
import static io.ringport.core.ring.RingFileDescriptor.fileLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingFileTest
{
    private static final int CAPACITY = 8192;
    private static final int MAX_MESSAGE_LENGTH = 1 << 20;

    @TempDir
    Path home;

    private final byte[] token = RingFile.newToken();

    @Test
    void aProducerLeavesTheDoorbellAloneUntilItsConsumerSaysItUsesOne() throws IOException
    {
        try (RingFile producer = create(RingKind.S2C);
            RingFile consumer = RingFile.map(producer.path(), RingKind.S2C, token))
        {
            consumer.armWaiter();
            producer.signalConsumer();
            assertEquals(WAITER_SLEEPING, consumer.header().getIntVolatile(CONSUMER_WAITER_OFFSET),
                "a consumer that never sleeps costs the producer no fence and no look at the waiter word");

            assertTrue(consumer.useDoorbell());
            producer.signalConsumer();
            assertEquals(WAITER_AWAKE, consumer.header().getIntVolatile(CONSUMER_WAITER_OFFSET),
                "rung: the word is flipped back (and the futex woken)");
        }
    }

    @Test
    void theDoorbellIsAnnouncedOnceAndPutBackIfAProducerClearsIt() throws IOException
    {
        try (RingFile producer = create(RingKind.C2S);
            RingFile consumer = RingFile.map(producer.path(), RingKind.C2S, token))
        {
            assertEquals(DOORBELL_UNUSED, producer.header().getIntVolatile(CONSUMER_DOORBELL_OFFSET));
            assertTrue(consumer.useDoorbell());
            assertFalse(consumer.useDoorbell());
            assertEquals(DOORBELL_USED, producer.header().getIntVolatile(CONSUMER_DOORBELL_OFFSET));

            producer.header().putIntVolatile(CONSUMER_DOORBELL_OFFSET, DOORBELL_UNUSED);

            assertFalse(consumer.useDoorbell(), "not news: this mapping announced it before");
            assertEquals(DOORBELL_USED, producer.header().getIntVolatile(CONSUMER_DOORBELL_OFFSET));
        }
    }

    @Test
    void createsPrivateFileWithUnguessableName() throws IOException
    {
        try (RingFile first = create(RingKind.C2S);
            RingFile second = create(RingKind.C2S))
        {
            final Path path = first.path();
            assertEquals(home, path.getParent());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            // Kind, 128 random bits as hex, suffix: nothing else, so no service name can leak into it.
            assertTrue(path.getFileName().toString().matches("c2s-[0-9a-f]{32}\\.ring"), path.toString());
            assertNotEquals(first.path(), second.path());
            assertEquals(fileLength(CAPACITY), Files.size(path));
        }
    }

    @Test
    void mapReadsBackHeaderFields() throws IOException
    {
        final long before = System.currentTimeMillis();
        try (RingFile created = create(RingKind.S2C);
            RingFile mapped = RingFile.map(created.path(), RingKind.S2C, token))
        {
            assertEquals(created.path(), mapped.path());
            assertEquals(RingKind.S2C, mapped.kind());
            assertEquals(CAPACITY, mapped.capacity());
            assertEquals(MAX_MESSAGE_LENGTH, mapped.maxMessageLength());
            assertEquals(42L, mapped.connectionId());
            assertEquals(ProcessHandle.current().pid(), mapped.ownerPid());
            final long createdAt = mapped.header().getLong(CREATION_TIME_OFFSET);
            assertTrue(createdAt >= before && createdAt <= System.currentTimeMillis(), "creation time " + createdAt);
            assertEquals(CAPACITY + RingDescriptor.TRAILER_LENGTH, mapped.ring().capacity());
            assertEquals(ProcessHandle.current().pid(), RingFile.readOwnerPid(created.path()));
        }
    }

    @Test
    void headerRewrittenByAPeerAfterMapDoesNotChangeTheValidatedValues() throws IOException
    {
        try (RingFile created = create(RingKind.S2C);
            RingFile mapped = RingFile.map(created.path(), RingKind.S2C, token))
        {
            created.header().putInt(CAPACITY_OFFSET, 1 << 30);
            created.header().putInt(MAX_MESSAGE_LENGTH_OFFSET, -1);

            assertEquals(CAPACITY, mapped.capacity());
            assertEquals(MAX_MESSAGE_LENGTH, mapped.maxMessageLength());
        }
    }

    @Test
    void portRingMapsWithoutToken() throws IOException
    {
        try (RingFile created = create(RingKind.PORT);
            RingFile mapped = RingFile.map(created.path(), RingKind.PORT, null))
        {
            assertEquals(RingKind.PORT, mapped.kind());
        }
    }

    @Test
    void createRefusesBadCapacityAndToken()
    {
        assertThrows(IllegalArgumentException.class,
            () -> RingFile.create(home, RingKind.C2S, 5000, MAX_MESSAGE_LENGTH, 1, token));
        assertThrows(IllegalArgumentException.class,
            () -> RingFile.create(home, RingKind.C2S, CAPACITY, MAX_MESSAGE_LENGTH, 1, new byte[8]));
    }

    @Test
    void mapRefusesWrongKind() throws IOException
    {
        try (RingFile created = create(RingKind.C2S))
        {
            assertInvalid(created.path(), RingKind.S2C, token, "kind is C2S, expected S2C");
        }
    }

    @Test
    void mapRefusesWrongToken() throws IOException
    {
        try (RingFile created = create(RingKind.C2S))
        {
            assertInvalid(created.path(), RingKind.C2S, RingFile.newToken(), "token does not match the capability");
        }
    }

    @Test
    void mapRefusesTruncatedFile() throws IOException
    {
        final Path path;
        try (RingFile created = create(RingKind.C2S))
        {
            path = created.path();
        }

        truncate(path, fileLength(CAPACITY) - 4096);
        assertInvalid(path, RingKind.C2S, token, "does not match capacity " + CAPACITY);

        truncate(path, 100);
        assertInvalid(path, RingKind.C2S, token, "length 100 is not that of a ring file");
    }

    @Test
    void mapRefusesGarbageMagic() throws IOException
    {
        try (RingFile created = create(RingKind.C2S))
        {
            created.header().putLong(MAGIC_OFFSET, 0xBADC0FFEEL);

            assertInvalid(created.path(), RingKind.C2S, token, "bad magic 0xbadc0ffee");
            assertEquals(-1, RingFile.readOwnerPid(created.path()));
        }
    }

    @Test
    void mapRefusesOtherLayoutVersion() throws IOException
    {
        try (RingFile created = create(RingKind.C2S))
        {
            created.header().putInt(LAYOUT_VERSION_OFFSET, 2);

            assertInvalid(created.path(), RingKind.C2S, token, "layout version 2, this library reads 4");
        }
    }

    @Test
    void mapOfMissingFileIsClosed()
    {
        final RingportException ex = assertThrows(RingportException.class,
            () -> RingFile.map(home.resolve("gone.ring"), RingKind.C2S, token));

        assertEquals(ErrorCode.CLOSED, ex.code());
    }

    @Test
    void producerClosedIsVisibleThroughAnotherMapping() throws IOException
    {
        try (RingFile producer = create(RingKind.S2C);
            RingFile consumer = RingFile.map(producer.path(), RingKind.S2C, token))
        {
            assertFalse(consumer.isProducerClosed());

            producer.markProducerClosed();

            assertTrue(consumer.isProducerClosed());
            assertTrue(producer.isProducerClosed());
        }
    }

    private RingFile create(final RingKind kind) throws IOException
    {
        return RingFile.create(home, kind, CAPACITY, MAX_MESSAGE_LENGTH, 42L, token);
    }

    private static void truncate(final Path path, final long length) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.setLength(length);
        }
    }

    private static void assertInvalid(
        final Path path, final RingKind kind, final byte[] token, final String reason)
    {
        final RingportException ex = assertThrows(RingportException.class, () -> RingFile.map(path, kind, token));

        assertEquals(ErrorCode.PROTOCOL_VIOLATION, ex.code());
        assertTrue(ex.getMessage().startsWith("ring file " + path + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }
}
