package io.ringport.daemon.definition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service as its definition file declares it: how to launch it, when, and the rings it is served through.
 *
 * @param file               the definition file it came from.
 * @param name               the service name clients connect to.
 * @param command            argv tokens as written, before {@link #resolveCommand(Map)} expands variables.
 * @param environment        variables added to the environment of the launched process.
 * @param workingDirectory   absolute working directory of the process, empty to inherit the daemon's.
 * @param runAtLoad          launch when the definition is loaded, not at the first connection.
 * @param keepAlive          launch again when the process exits with a non-zero status (a crash).
 * @param throttleInterval   least time between two launches.
 * @param startLimitBurst    crashes and failed starts within {@code startLimitInterval} that make the service FAILED
 *                           until an operator starts it again; 0 for no limit.
 * @param startLimitInterval the window {@code startLimitBurst} is counted in.
 * @param startTimeout       longest wait from launch to check-in.
 * @param exitTimeout        longest wait for the process to exit after it is asked to, before it is killed.
 * @param idleExit           how long without connections before the service is asked to exit, empty for never.
 * @param classDataSharing   whether its JVM may get a class-data archive through {@code ${RINGPORT_JVM_OPTS}}.
 * @param portCapacity       capacity of the port ring, in bytes.
 * @param c2sCapacity        capacity of each connection's client-to-service ring, in bytes.
 * @param s2cCapacity        capacity of each connection's service-to-client ring, in bytes.
 * @param maxMessageLength   longest message on a connection, in bytes.
 * @param allowUsers         users who may connect; when both allow sets are empty, only the daemon's own user may.
 * @param allowGroups        groups whose members may connect.
 */
public record ServiceDefinition(
    Path file,
    String name,
    List<String> command,
    Map<String, String> environment,
    Optional<Path> workingDirectory,
    boolean runAtLoad,
    boolean keepAlive,
    Duration throttleInterval,
    int startLimitBurst,
    Duration startLimitInterval,
    Duration startTimeout,
    Duration exitTimeout,
    Optional<Duration> idleExit,
    boolean classDataSharing,
    int portCapacity,
    int c2sCapacity,
    int s2cCapacity,
    int maxMessageLength,
    Set<String> allowUsers,
    Set<String> allowGroups)
{
    /** The variables a command may use; the daemon gives each a value at launch. */
    public static final Set<String> COMMAND_VARIABLES =
        Set.of("JAVA", "RINGPORT_CLASSPATH", "RINGPORT_JVM_OPTS", "RINGPORT_HOME", "DEFINITION_DIR");

    /** Default of {@link #throttleInterval()}. */
    public static final Duration DEFAULT_THROTTLE_INTERVAL = Duration.ofSeconds(10);

    /** Default of {@link #startLimitBurst()}. */
    public static final int DEFAULT_START_LIMIT_BURST = 5;

    /** Largest {@link #startLimitBurst()} accepted. */
    public static final int MAX_START_LIMIT_BURST = 1000;

    /** Default of {@link #startLimitInterval()}: five bursts at the default throttle interval fit in it. */
    public static final Duration DEFAULT_START_LIMIT_INTERVAL = Duration.ofMinutes(5);

    /** Default of {@link #startTimeout()}. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    /** Default of {@link #exitTimeout()}. */
    public static final Duration DEFAULT_EXIT_TIMEOUT = Duration.ofSeconds(5);

    /** Default of {@link #portCapacity()}: 64 KiB. */
    public static final int DEFAULT_PORT_CAPACITY = 64 * 1024;

    /**
     * Default of {@link #c2sCapacity()} and {@link #s2cCapacity()}: 16 MiB, so that a stream's producer comes back
     * to lines that have left the consumer's caches (with 1 MiB rings, one core's L2 here, four 64 B streams in ten
     * fell to under half their speed; see docs/benchmarks.md, run 18). The files are sparse: a connection takes the
     * memory of the pages its messages have gone through.
     */
    public static final int DEFAULT_CONNECTION_CAPACITY = 16 * 1024 * 1024;

    /** Default of {@link #maxMessageLength()}: 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;

    /** Largest {@link #maxMessageLength()} accepted: 1 GiB. */
    public static final int MAX_MESSAGE_LENGTH_LIMIT = 1024 * 1024 * 1024;

    /**
     * A definition holding unmodifiable copies of the given collections.
     *
     * @param file             the definition file it came from.
     * @param name             the service name clients connect to.
     * @param command          argv tokens as written.
     * @param environment      variables added to the environment of the launched process.
     * @param workingDirectory absolute working directory of the process, empty to inherit the daemon's.
     * @param runAtLoad        launch when the definition is loaded.
     * @param keepAlive        launch again whenever the process exits.
     * @param throttleInterval least time between two launches.
     * @param startLimitBurst  crashes and failed starts within startLimitInterval that make the service FAILED.
     * @param startLimitInterval the window startLimitBurst is counted in.
     * @param startTimeout     longest wait from launch to check-in.
     * @param exitTimeout      longest wait for the process to exit before it is killed.
     * @param idleExit         how long without connections before the service is asked to exit, empty for never.
     * @param classDataSharing whether its JVM may get a class-data archive through {@code ${RINGPORT_JVM_OPTS}}.
     * @param portCapacity     capacity of the port ring, in bytes.
     * @param c2sCapacity      capacity of each client-to-service ring, in bytes.
     * @param s2cCapacity      capacity of each service-to-client ring, in bytes.
     * @param maxMessageLength longest message on a connection, in bytes.
     * @param allowUsers       users who may connect.
     * @param allowGroups      groups whose members may connect.
     */
    public ServiceDefinition
    {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(throttleInterval, "throttleInterval");
        Objects.requireNonNull(startLimitInterval, "startLimitInterval");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(exitTimeout, "exitTimeout");
        Objects.requireNonNull(idleExit, "idleExit");
        command = List.copyOf(command);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        allowUsers = Collections.unmodifiableSet(new LinkedHashSet<>(allowUsers));
        allowGroups = Collections.unmodifiableSet(new LinkedHashSet<>(allowGroups));
    }

    /**
     * The argv to launch, with variables expanded.
     * <p>
     * A token that is exactly {@code ${VAR}} becomes all the values of VAR as separate entries (none when it has
     * none); {@code ${VAR}} inside a longer token becomes its values joined by a space; {@code $$} is a literal
     * {@code $}.
     *
     * @param variables the values of each variable the command may use, such as {@code RINGPORT_JVM_OPTS}.
     * @return the argv.
     * @throws IllegalArgumentException naming the service when the command uses an unknown variable.
     */
    public List<String> resolveCommand(final Map<String, List<String>> variables)
    {
        try
        {
            return CommandLine.expand(command, (variable) ->
            {
                final List<String> values = variables.get(variable);
                if (null == values)
                {
                    throw new IllegalArgumentException("unknown variable ${" + Printable.of(variable) + "} (known: " +
                        (variables.isEmpty() ? "none" : String.join(", ", new TreeSet<>(variables.keySet()))) + ")");
                }
                return values;
            });
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("command of service '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * The service name and the file it came from.
     *
     * @return a short description.
     */
    @Override
    public String toString()
    {
        return "service '" + name + "' (" + file + ")";
    }
}
