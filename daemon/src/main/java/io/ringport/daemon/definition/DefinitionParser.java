package io.ringport.daemon.definition;

import io.ringport.core.ServiceNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.ringport.core.ring.RingFileDescriptor.MAX_CAPACITY;
import static io.ringport.core.ring.RingFileDescriptor.MIN_CAPACITY;
import static io.ringport.daemon.definition.Printable.quote;

/**
 * Reads service definitions: UTF-8 {@code .properties} files in the services directory, one service each.
 */
public final class DefinitionParser
{
    /** Largest definition file read, in bytes. */
    public static final int MAX_FILE_LENGTH = 64 * 1024;

    /** Name suffix of the definition files in a services directory. */
    public static final String FILE_SUFFIX = ".properties";

    private static final String NAME = "name";
    private static final String COMMAND = "command";
    private static final String ENVIRONMENT_PREFIX = "environment.";
    private static final String WORKING_DIRECTORY = "workingDirectory";
    private static final String RUN_AT_LOAD = "runAtLoad";
    private static final String KEEP_ALIVE = "keepAlive";
    private static final String THROTTLE_INTERVAL = "throttleInterval";
    private static final String START_LIMIT_BURST = "startLimitBurst";
    private static final String START_LIMIT_INTERVAL = "startLimitInterval";
    private static final String START_TIMEOUT = "startTimeout";
    private static final String EXIT_TIMEOUT = "exitTimeout";
    private static final String IDLE_EXIT = "idleExit";
    private static final String CLASS_DATA_SHARING = "classDataSharing";
    private static final String PORT_CAPACITY = "ring.port.capacity";
    private static final String C2S_CAPACITY = "ring.c2s.capacity";
    private static final String S2C_CAPACITY = "ring.s2c.capacity";
    private static final String MAX_MESSAGE_LENGTH = "maxMessageLength";
    private static final String ALLOW_USERS = "allow.users";
    private static final String ALLOW_GROUPS = "allow.groups";

    private static final Set<String> KEYS = Set.of(
        NAME, COMMAND, WORKING_DIRECTORY, RUN_AT_LOAD, KEEP_ALIVE, THROTTLE_INTERVAL, START_LIMIT_BURST,
        START_LIMIT_INTERVAL, START_TIMEOUT, EXIT_TIMEOUT,
        IDLE_EXIT, CLASS_DATA_SHARING, PORT_CAPACITY, C2S_CAPACITY, S2C_CAPACITY, MAX_MESSAGE_LENGTH, ALLOW_USERS, ALLOW_GROUPS);
    private static final String KNOWN_KEYS = Stream.concat(KEYS.stream(), Stream.of(ENVIRONMENT_PREFIX + "NAME"))
        .sorted()
        .collect(Collectors.joining(", "));

    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // At most 12 digits, so that no amount in any unit overflows a long.
    private static final Pattern DURATION = Pattern.compile("(-?\\d{1,12})(ms|s|m|h|)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(k|K|KiB|m|M|MiB|)");
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private final Path file;
    private final Properties props;

    private DefinitionParser(final Path file, final Properties props)
    {
        this.file = file;
        this.props = props;
    }

    /**
     * Read and parse a definition file.
     *
     * @param file the definition, UTF-8, at most {@link #MAX_FILE_LENGTH} bytes.
     * @return the definition.
     * @throws DefinitionException when the file cannot be read or holds a bad key or value.
     */
    public static ServiceDefinition parse(final Path file) throws DefinitionException
    {
        return parse(file, read(file));
    }

    /**
     * Parse the properties of a definition file.
     *
     * @param file  the definition file the properties came from, for messages and relative paths.
     * @param props the keys and values.
     * @return the definition.
     * @throws DefinitionException naming the key and quoting the value that is wrong.
     */
    public static ServiceDefinition parse(final Path file, final Properties props) throws DefinitionException
    {
        return new DefinitionParser(file, props).definition();
    }

    /**
     * Parse every {@code *.properties} file in a directory, in file name order; other entries are ignored.
     * <p>
     * A bad file is reported in {@link LoadResult#errors()} and does not stop the others; so is a file whose service
     * name an earlier file already defines.
     *
     * @param dir the services directory; a missing one holds no definitions.
     * @return the definitions and the errors.
     */
    public static LoadResult loadDirectory(final Path dir)
    {
        final List<Path> files;
        try
        {
            files = definitionFiles(dir);
        }
        catch (final IOException ex)
        {
            return new LoadResult(List.of(), List.of(new DefinitionException(dir, null, "cannot list: " + ex)));
        }

        final List<ServiceDefinition> definitions = new ArrayList<>();
        final List<DefinitionException> errors = new ArrayList<>();
        final Map<String, Path> definedBy = new HashMap<>();
        for (final Path file : files)
        {
            try
            {
                final ServiceDefinition definition = parse(file);
                final Path other = definedBy.putIfAbsent(definition.name(), file);
                if (null == other)
                {
                    definitions.add(definition);
                }
                else
                {
                    errors.add(new DefinitionException(
                        file, NAME, "service '" + definition.name() + "' is already defined by " + other));
                }
            }
            catch (final DefinitionException ex)
            {
                errors.add(ex);
            }
        }
        return new LoadResult(definitions, errors);
    }

    private static List<Path> definitionFiles(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries
                .filter((path) -> path.getFileName().toString().endsWith(FILE_SUFFIX) && Files.isRegularFile(path))
                .sorted()
                .toList();
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
    }

    private static Properties read(final Path file) throws DefinitionException
    {
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file))
        {
            bytes = in.readNBytes(MAX_FILE_LENGTH + 1);
        }
        catch (final IOException ex)
        {
            throw new DefinitionException(file, null, "cannot read: " + ex);
        }
        if (bytes.length > MAX_FILE_LENGTH)
        {
            throw new DefinitionException(file, null, "file is larger than " + MAX_FILE_LENGTH + " bytes");
        }

        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new DefinitionException(file, null, "file is not valid UTF-8");
        }

        final Properties props = new Properties();
        try
        {
            props.load(new StringReader(text));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new DefinitionException(file, null, "not a properties file: " + ex.getMessage());
        }
        return props;
    }

    private ServiceDefinition definition() throws DefinitionException
    {
        final Map<String, String> environment = new TreeMap<>();
        for (final String key : new TreeSet<>(props.stringPropertyNames()))
        {
            if (key.startsWith(ENVIRONMENT_PREFIX))
            {
                final String variable = key.substring(ENVIRONMENT_PREFIX.length());
                if (!ENVIRONMENT_NAME.matcher(variable).matches())
                {
                    throw new DefinitionException(file, key, "not an environment variable name: " + quote(variable) +
                        " (use letters, digits and _, not starting with a digit)");
                }
                environment.put(variable, props.getProperty(key));
            }
            else if (!KEYS.contains(key))
            {
                throw new DefinitionException(file, key, "unknown key (known: " + KNOWN_KEYS + ")");
            }
        }

        return new ServiceDefinition(
            file,
            required(NAME, ServiceNames::validate),
            required(COMMAND, DefinitionParser::command),
            environment,
            Optional.ofNullable(value(WORKING_DIRECTORY, null, this::workingDirectory)),
            value(RUN_AT_LOAD, false, DefinitionParser::bool),
            value(KEEP_ALIVE, false, DefinitionParser::bool),
            value(THROTTLE_INTERVAL, ServiceDefinition.DEFAULT_THROTTLE_INTERVAL, DefinitionParser::duration),
            value(START_LIMIT_BURST, ServiceDefinition.DEFAULT_START_LIMIT_BURST, DefinitionParser::startLimitBurst),
            value(START_LIMIT_INTERVAL, ServiceDefinition.DEFAULT_START_LIMIT_INTERVAL,
                DefinitionParser::positiveDuration),
            value(START_TIMEOUT, ServiceDefinition.DEFAULT_START_TIMEOUT, DefinitionParser::positiveDuration),
            value(EXIT_TIMEOUT, ServiceDefinition.DEFAULT_EXIT_TIMEOUT, DefinitionParser::duration),
            Optional.ofNullable(value(IDLE_EXIT, null, DefinitionParser::duration)),
            value(CLASS_DATA_SHARING, true, DefinitionParser::bool),
            value(PORT_CAPACITY, ServiceDefinition.DEFAULT_PORT_CAPACITY, DefinitionParser::ringCapacity),
            value(C2S_CAPACITY, ServiceDefinition.DEFAULT_CONNECTION_CAPACITY, DefinitionParser::ringCapacity),
            value(S2C_CAPACITY, ServiceDefinition.DEFAULT_CONNECTION_CAPACITY, DefinitionParser::ringCapacity),
            value(MAX_MESSAGE_LENGTH, ServiceDefinition.DEFAULT_MAX_MESSAGE_LENGTH, DefinitionParser::messageLength),
            value(ALLOW_USERS, Set.of(), DefinitionParser::names),
            value(ALLOW_GROUPS, Set.of(), DefinitionParser::names));
    }

    private <T> T required(final String key, final Function<String, T> parser) throws DefinitionException
    {
        final T value = value(key, null, parser);
        if (null == value)
        {
            throw new DefinitionException(file, key, "missing: every definition needs a name and a command");
        }
        return value;
    }

    private <T> T value(final String key, final T defaultValue, final Function<String, T> parser)
        throws DefinitionException
    {
        final String text = props.getProperty(key);
        if (null == text)
        {
            return defaultValue;
        }
        try
        {
            return parser.apply(text.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new DefinitionException(file, key, ex.getMessage());
        }
    }

    private static List<String> command(final String text)
    {
        final List<String> tokens = CommandLine.split(text);
        if (tokens.isEmpty())
        {
            throw new IllegalArgumentException("is empty: give the program and its arguments, e.g. java -jar app.jar");
        }
        // Values are known only at launch, names now: a typo is refused with the file, not at every launch.
        CommandLine.expand(tokens, (variable) ->
        {
            if (!ServiceDefinition.COMMAND_VARIABLES.contains(variable))
            {
                throw new IllegalArgumentException("unknown variable ${" + variable + "} (known: " +
                    String.join(", ", new java.util.TreeSet<>(ServiceDefinition.COMMAND_VARIABLES)) + ")");
            }
            return List.of();
        });
        return tokens;
    }

    private Path workingDirectory(final String text)
    {
        final Path path;
        try
        {
            path = Path.of(text);
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException("not a path: " + quote(text) + " (" + ex.getReason() + ")");
        }
        final Path directory = file.getParent();
        final Path resolved = (null == directory ? path : directory.resolve(path)).normalize();
        if (!resolved.isAbsolute())
        {
            throw new IllegalArgumentException("relative path " + quote(text) + " resolves to " +
                quote(resolved.toString()) + ", which is not absolute: use an absolute path, or load definitions " +
                "from an absolute directory");
        }
        return resolved;
    }

    private static boolean bool(final String text)
    {
        return switch (text.toLowerCase(Locale.ROOT))
        {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException(
                "not a boolean: " + quote(text) + " (use true, false, yes or no)");
        };
    }

    private static Duration duration(final String text)
    {
        final Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("not a duration: " + quote(text) + " (use e.g. 500ms, 10s, 2m)");
        }
        final ChronoUnit unit = switch (matcher.group(2))
        {
            case "ms" -> ChronoUnit.MILLIS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            default -> ChronoUnit.SECONDS;
        };
        final Duration duration = Duration.of(Long.parseLong(matcher.group(1)), unit);
        if (duration.isNegative())
        {
            throw new IllegalArgumentException("must not be negative: " + quote(text));
        }
        return duration;
    }

    private static Duration positiveDuration(final String text)
    {
        final Duration duration = duration(text);
        if (duration.isZero())
        {
            throw new IllegalArgumentException("must be more than zero: " + quote(text));
        }
        return duration;
    }

    private static int startLimitBurst(final String text)
    {
        try
        {
            final int burst = Integer.parseInt(text);
            if (burst >= 0 && burst <= ServiceDefinition.MAX_START_LIMIT_BURST)
            {
                return burst;
            }
        }
        catch (final NumberFormatException ex)
        {
            // said below
        }
        throw new IllegalArgumentException("must be a whole number from 0 (no limit) to " +
            ServiceDefinition.MAX_START_LIMIT_BURST + ": " + quote(text));
    }

    private static long size(final String text)
    {
        final Matcher matcher = SIZE.matcher(text);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("not a size: " + quote(text) + " (use e.g. 4096, 64k, 1MiB)");
        }
        final long multiplier = switch (matcher.group(2))
        {
            case "" -> 1;
            case "k", "K", "KiB" -> KIB;
            default -> MIB;
        };
        return Long.parseLong(matcher.group(1)) * multiplier;
    }

    private static int ringCapacity(final String text)
    {
        final long bytes = size(text);
        if (bytes < MIN_CAPACITY || bytes > MAX_CAPACITY || 1 != Long.bitCount(bytes))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + showSize(MIN_CAPACITY) +
                " to " + showSize(MAX_CAPACITY) + ": " + quote(text));
        }
        return (int)bytes;
    }

    private static int messageLength(final String text)
    {
        final long bytes = size(text);
        if (bytes < 1 || bytes > ServiceDefinition.MAX_MESSAGE_LENGTH_LIMIT)
        {
            throw new IllegalArgumentException("must be from 1 byte to " +
                showSize(ServiceDefinition.MAX_MESSAGE_LENGTH_LIMIT) + ": " + quote(text));
        }
        return (int)bytes;
    }

    private static String showSize(final long bytes)
    {
        if (0 == bytes % MIB)
        {
            return bytes / MIB + "MiB";
        }
        return 0 == bytes % KIB ? bytes / KIB + "KiB" : bytes + " bytes";
    }

    private static Set<String> names(final String text)
    {
        return Arrays.stream(text.split(","))
            .map(String::trim)
            .filter((name) -> !name.isEmpty())
            .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
