package io.ringport.core.ring;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.wait.Futex;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import static io.ringport.core.ring.RingFileDescriptor.*;

/**
 * A memory-mapped ring file: the header page and the ring region, mapped read-write.
 * <p>
 * The daemon {@link #create creates} ring files (mode 0600, a name with 128 random bits); clients and services
 * {@link #map map} them from a capability and check every header field before they trust the file.
 */
public final class RingFile implements AutoCloseable
{
    /** File name suffix of every ring file. */
    public static final String SUFFIX = ".ring";

    private final Path path;
    private final RingKind kind;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private boolean doorbellAnnounced;
    private final UnsafeBuffer ring;
    // Kept as validated: a peer can rewrite the shared header after map() checked it.
    private final int capacity;
    private final int maxMessageLength;
    private boolean closed;

    private RingFile(
        final Path path,
        final RingKind kind,
        final MappedByteBuffer mapped,
        final int capacity,
        final int maxMessageLength)
    {
        this.path = path;
        this.kind = kind;
        this.capacity = capacity;
        this.maxMessageLength = maxMessageLength;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.ring = new UnsafeBuffer(mapped, HEADER_LENGTH, capacity + RingDescriptor.TRAILER_LENGTH);
    }

    /**
     * Create and map a new ring file with an unguessable name in a directory.
     *
     * @param directory        where ring files live ({@code RINGPORT_HOME}).
     * @param kind             of ring.
     * @param capacity         of the ring region, a power of two.
     * @param maxMessageLength longest message the endpoints may send.
     * @param connectionId     the connection it belongs to, 0 for a port ring.
     * @param token            the capability token to bind into the header, {@link RingFileDescriptor#TOKEN_LENGTH} bytes.
     * @return the mapped file.
     * @throws IOException when the file cannot be created or mapped.
     */
    public static RingFile create(
        final Path directory,
        final RingKind kind,
        final int capacity,
        final int maxMessageLength,
        final long connectionId,
        final byte[] token) throws IOException
    {
        checkCapacity(capacity);
        if (token.length != TOKEN_LENGTH)
        {
            throw new IllegalArgumentException("token must be " + TOKEN_LENGTH + " bytes, was " + token.length);
        }

        final Path path = directory.resolve(kind.name().toLowerCase() + "-" + HexFormat.of().formatHex(newToken()) + SUFFIX);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try
        {
            final MappedByteBuffer mapped = mapReadWrite(path, fileLength(capacity));
            final RingFile file = new RingFile(path, kind, mapped, capacity, maxMessageLength);
            final UnsafeBuffer header = file.header;
            header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
            header.putInt(KIND_OFFSET, kind.code());
            header.putInt(CAPACITY_OFFSET, capacity);
            header.putInt(MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
            header.putLong(OWNER_PID_OFFSET, ProcessHandle.current().pid());
            header.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
            header.putBytes(TOKEN_OFFSET, token);
            header.putLong(CONNECTION_ID_OFFSET, connectionId);
            header.putIntVolatile(PRODUCER_STATE_OFFSET, STATE_OPEN);
            // Magic last: a reader that sees it sees a complete header.
            header.putLongVolatile(MAGIC_OFFSET, MAGIC);
            return file;
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.deleteIfExists(path);
            throw ex;
        }
    }

    /**
     * Map an existing ring file named by a capability, checking its header.
     *
     * @param path          of the ring file.
     * @param expectedKind  the kind the capability says it is.
     * @param expectedToken the capability's token, or null to skip that check (port rings).
     * @return the mapped file.
     * @throws RingportException with {@link ErrorCode#PROTOCOL_VIOLATION} when the file is not a valid ring file of
     *                           that kind and token, or {@link ErrorCode#CLOSED} when it cannot be opened.
     */
    public static RingFile map(final Path path, final RingKind expectedKind, final byte[] expectedToken)
    {
        final long fileLength;
        final MappedByteBuffer mapped;
        try
        {
            fileLength = Files.size(path);
            if (fileLength < HEADER_LENGTH + MIN_CAPACITY || fileLength > fileLength(MAX_CAPACITY))
            {
                throw invalid(path, "length " + fileLength + " is not that of a ring file");
            }
            mapped = mapReadWrite(path, fileLength);
        }
        catch (final IOException ex)
        {
            throw new RingportException(ErrorCode.CLOSED, "ring file " + path + ": cannot map: " + ex, ex);
        }

        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        try
        {
            final long magic = header.getLongVolatile(MAGIC_OFFSET);
            if (MAGIC != magic)
            {
                throw invalid(path, "bad magic 0x" + Long.toHexString(magic));
            }
            final int version = header.getInt(LAYOUT_VERSION_OFFSET);
            if (LAYOUT_VERSION != version)
            {
                throw invalid(path, "layout version " + version + ", this library reads " + LAYOUT_VERSION);
            }
            final RingKind kind = RingKind.ofCode(header.getInt(KIND_OFFSET));
            if (expectedKind != kind)
            {
                throw invalid(path, "kind is " + kind + ", expected " + expectedKind);
            }
            final int capacity = header.getInt(CAPACITY_OFFSET);
            if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)
            {
                throw invalid(path, "capacity " + capacity + " is not a power of two in range");
            }
            if (fileLength(capacity) != fileLength)
            {
                throw invalid(path, "length " + fileLength + " does not match capacity " + capacity);
            }
            final int maxMessageLength = header.getInt(MAX_MESSAGE_LENGTH_OFFSET);
            if (maxMessageLength <= 0)
            {
                throw invalid(path, "max message length " + maxMessageLength + " is not positive");
            }
            if (null != expectedToken)
            {
                final byte[] token = new byte[TOKEN_LENGTH];
                header.getBytes(TOKEN_OFFSET, token);
                if (!MessageDigest.isEqual(token, expectedToken))
                {
                    throw invalid(path, "token does not match the capability");
                }
            }
            return new RingFile(path, kind, mapped, capacity, maxMessageLength);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /**
     * A fresh 128-bit random token.
     *
     * @return {@link RingFileDescriptor#TOKEN_LENGTH} random bytes.
     */
    public static byte[] newToken()
    {
        final byte[] token = new byte[TOKEN_LENGTH];
        TokenSource.RANDOM.nextBytes(token);
        return token;
    }

    /**
     * Where the file is.
     *
     * @return the path of the ring file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * What this ring carries.
     *
     * @return the kind from the header.
     */
    public RingKind kind()
    {
        return kind;
    }

    /**
     * Capacity of the ring region.
     *
     * @return bytes, a power of two.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Longest message the endpoints agreed on, as written by the daemon.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * The connection this ring belongs to.
     *
     * @return connection id, 0 for a port ring.
     */
    public long connectionId()
    {
        return header.getLong(CONNECTION_ID_OFFSET);
    }

    /**
     * Pid of the process that created the file.
     *
     * @return the owner pid from the header.
     */
    public long ownerPid()
    {
        return header.getLong(OWNER_PID_OFFSET);
    }

    /**
     * The header page, for state and waiter words.
     *
     * @return a buffer over the header page.
     */
    public AtomicBuffer header()
    {
        return header;
    }

    /**
     * The ring region with its Agrona trailer, for a ring buffer or a {@link RingReader}.
     *
     * @return a buffer over capacity + trailer bytes.
     */
    public AtomicBuffer ring()
    {
        return ring;
    }

    /**
     * Has the producer said it will write no more?
     *
     * @return true once {@link #markProducerClosed()} was called by any process.
     */
    public boolean isProducerClosed()
    {
        return STATE_CLOSED == header.getIntVolatile(PRODUCER_STATE_OFFSET);
    }

    /**
     * Say, in shared memory, that the producer will write no more.
     */
    public void markProducerClosed()
    {
        header.putIntRelease(PRODUCER_STATE_OFFSET, STATE_CLOSED);
    }

    /**
     * Consumer: announce that it is about to sleep on this ring's doorbell (see {@link #signalConsumer()}).
     */
    public void armWaiter()
    {
        header.putIntVolatile(CONSUMER_WAITER_OFFSET, WAITER_SLEEPING);
    }

    /**
     * Consumer: it is awake again.
     */
    public void disarmWaiter()
    {
        header.putIntRelease(CONSUMER_WAITER_OFFSET, WAITER_AWAKE);
    }

    /**
     * Address of the consumer's waiter word, the futex a sleeping consumer waits on.
     *
     * @return the native address of the word.
     */
    public long waiterAddress()
    {
        return header.addressOffset() + CONSUMER_WAITER_OFFSET;
    }

    /**
     * Consumer: say that from now on it may sleep on this ring's doorbell, so producers must ring it. Call it a while
     * before the first sleep (see {@link #signalConsumer()}).
     *
     * @return true the first time, false once this mapping has announced it.
     */
    public boolean useDoorbell()
    {
        if (DOORBELL_USED != header.getInt(CONSUMER_DOORBELL_OFFSET))
        {
            // Also puts the word back if the producer cleared it; whether this is news is our own memory's to say.
            header.putIntVolatile(CONSUMER_DOORBELL_OFFSET, DOORBELL_USED);
        }
        if (doorbellAnnounced)
        {
            return false;
        }
        doorbellAnnounced = true;
        return true;
    }

    /**
     * Producer, after publishing: wake the consumer if it announced a sleep. A consumer that never sleeps costs one
     * read of a line nobody writes; one that may sleep costs a fence and a read of the waiter word while it is awake,
     * and no system call.
     * <p>
     * Without the fence our read of the doorbell word may pass our publication, so a producer can miss the word's
     * first change to {@link RingFileDescriptor#DOORBELL_USED}; a consumer therefore does not block on the doorbell
     * until some time after announcing it (by then every earlier publication is visible to it), and parks instead.
     */
    public void signalConsumer()
    {
        if (DOORBELL_UNUSED == header.getInt(CONSUMER_DOORBELL_OFFSET))
        {
            return;
        }
        // Dekker with armWaiter: our publication must be visible before we read the waiter word.
        VarHandle.fullFence();
        if (WAITER_AWAKE != header.getInt(CONSUMER_WAITER_OFFSET) &&
            header.compareAndSetInt(CONSUMER_WAITER_OFFSET, WAITER_SLEEPING, WAITER_AWAKE))
        {
            Futex.wake(waiterAddress());
        }
    }

    /**
     * Unmap the file; the file itself stays until its owner deletes it.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Read the owner pid from a ring file's header without mapping it whole.
     *
     * @param path of a file that may be a ring file.
     * @return the owner pid, or -1 when the file is not a readable ring file.
     */
    public static long readOwnerPid(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(OWNER_PID_OFFSET + 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int read = 0;
            while (read >= 0 && bytes.hasRemaining())
            {
                read = channel.read(bytes);
            }
            if (bytes.hasRemaining() || MAGIC != bytes.getLong(MAGIC_OFFSET))
            {
                return -1;
            }
            return bytes.getLong(OWNER_PID_OFFSET);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static MappedByteBuffer mapReadWrite(final Path path, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }

    private static RingportException invalid(final Path path, final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "ring file " + path + ": " + reason);
    }

    /** Only the daemon makes tokens: clients and services never pay for seeding a SecureRandom. */
    private static final class TokenSource
    {
        private static final SecureRandom RANDOM = new SecureRandom();
    }
}
