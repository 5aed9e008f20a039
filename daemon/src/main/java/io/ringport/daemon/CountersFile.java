package io.ringport.daemon;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.ringport.daemon.CountersFileDescriptor.*;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The counters file of a home: the daemon creates it and is its only writer; {@code ringport stat} maps it
 * read-only and reads the counters while traffic flows, without a word to the daemon.
 */
public final class CountersFile implements AutoCloseable
{
    /** A freed counter's slot is not reused for this long, so that a reader does not mistake a new one for it. */
    private static final long FREE_TO_REUSE_MS = 1_000;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final long daemonPid;
    private final CountersReader reader;
    private boolean closed;

    private CountersFile(final Path path, final MappedByteBuffer mapped, final boolean writable)
    {
        this.path = path;
        this.mapped = mapped;
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final UnsafeBuffer metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, METADATA_BUFFER_LENGTH);
        final UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + METADATA_BUFFER_LENGTH,
            VALUES_BUFFER_LENGTH);
        if (writable)
        {
            header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
            header.putLong(DAEMON_PID_OFFSET, ProcessHandle.current().pid());
            header.putInt(METADATA_LENGTH_OFFSET, METADATA_BUFFER_LENGTH);
            header.putInt(VALUES_LENGTH_OFFSET, VALUES_BUFFER_LENGTH);
            // Magic last: a reader that sees it sees a complete header.
            header.putLongVolatile(MAGIC_OFFSET, MAGIC);
            reader = new CountersManager(metadata, values, UTF_8, SystemEpochClock.INSTANCE, FREE_TO_REUSE_MS);
        }
        else
        {
            reader = new CountersReader(metadata, values, UTF_8);
        }
        daemonPid = header.getLong(DAEMON_PID_OFFSET);
    }

    /**
     * Create the counters file of a home, replacing one a dead daemon left.
     *
     * @param home the daemon's home.
     * @return the file, mapped for writing.
     * @throws IOException when it cannot be created or mapped.
     */
    static CountersFile create(final Path home) throws IOException
    {
        final Path path = home.resolve(FILE_NAME);
        Files.deleteIfExists(path);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return new CountersFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH), true);
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.deleteIfExists(path);
            throw ex;
        }
    }

    /**
     * Map the counters file of a running daemon read-only.
     *
     * @param home the daemon's home.
     * @return the file, mapped for reading.
     * @throws RingportException ({@link ErrorCode#DAEMON_UNREACHABLE}) when there is no counters file or the daemon
     *                           that wrote it is gone; ({@link ErrorCode#PROTOCOL_VIOLATION}) when it is not a
     *                           counters file of this layout.
     */
    public static CountersFile openReadOnly(final Path home)
    {
        final Path path = home.resolve(FILE_NAME);
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (channel.size() != FILE_LENGTH)
            {
                throw invalid(path, "length " + channel.size() + ", expected " + FILE_LENGTH);
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, FILE_LENGTH);
        }
        catch (final NoSuchFileException ex)
        {
            throw new RingportException(ErrorCode.DAEMON_UNREACHABLE, "ringport daemon not reachable: no counters " +
                "file " + path + "; start one with './ringport daemon' or set RINGPORT_HOME", ex);
        }
        catch (final IOException ex)
        {
            throw new RingportException(ErrorCode.DAEMON_UNREACHABLE, "counters file " + path + ": cannot map: " + ex,
                ex);
        }

        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        try
        {
            if (MAGIC != header.getLongVolatile(MAGIC_OFFSET) ||
                LAYOUT_VERSION != header.getInt(LAYOUT_VERSION_OFFSET) ||
                METADATA_BUFFER_LENGTH != header.getInt(METADATA_LENGTH_OFFSET) ||
                VALUES_BUFFER_LENGTH != header.getInt(VALUES_LENGTH_OFFSET))
            {
                throw invalid(path, "not a counters file of layout version " + LAYOUT_VERSION);
            }
            final long pid = header.getLong(DAEMON_PID_OFFSET);
            if (Instances.isGone(pid))
            {
                throw new RingportException(ErrorCode.DAEMON_UNREACHABLE, "ringport daemon not reachable: counters " +
                    "file " + path + " was left by pid " + pid + ", which is not running; start a daemon with " +
                    "'./ringport daemon'");
            }
            return new CountersFile(path, mapped, false);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /**
     * Where the file is.
     *
     * @return the path of the counters file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * The daemon that owns the file.
     *
     * @return its pid.
     */
    public long daemonPid()
    {
        return daemonPid;
    }

    /** The manager through which the daemon allocates and frees counters; only on the file it created. */
    CountersManager manager()
    {
        return (CountersManager)reader;
    }

    /**
     * Read the service counters as they are now.
     *
     * @return one entry per service, sorted by name.
     */
    public List<ServiceStats> read()
    {
        final Map<String, Map<ServiceCounter, Long>> services = new TreeMap<>();
        reader.forEach((value, counterId, label) ->
        {
            final ServiceCounter counter = ServiceCounter.ofTypeId(reader.getCounterTypeId(counterId));
            final int space = label.indexOf(' ');
            if (null != counter && space > 0)
            {
                services.computeIfAbsent(label.substring(0, space), name -> new EnumMap<>(ServiceCounter.class))
                    .put(counter, value);
            }
        });
        final List<ServiceStats> stats = new ArrayList<>(services.size());
        services.forEach((name, values) -> stats.add(new ServiceStats(name, values)));
        return stats;
    }

    /**
     * Unmap the file; the daemon deletes it when it stops.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }

    private static RingportException invalid(final Path path, final String reason)
    {
        return new RingportException(ErrorCode.PROTOCOL_VIOLATION, "counters file " + path + ": " + reason);
    }
}
