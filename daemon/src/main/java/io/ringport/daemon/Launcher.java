package io.ringport.daemon;

import io.ringport.core.RingportEnvironment;
import io.ringport.daemon.definition.ServiceDefinition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a service definition into a process: the variables a command may use and the environment through which
 * the service inherits its port.
 */
final class Launcher
{
    /**
     * JVM flags every Ringport process needs; {@code ${RINGPORT_JVM_OPTS}} in a command expands to them. Native
     * access is for the doorbell's JNI library (or JNA): JDK 24 and later warn at its load without it; 17 accepts it.
     */
    static final List<String> JVM_FLAGS = List.of(
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true");

    private Launcher()
    {
    }

    /**
     * A service's command line with its variables expanded, as a launch or a training run starts it.
     *
     * @param home           the daemon's home.
     * @param definition     the service.
     * @param classDataFlags what {@code ${RINGPORT_JVM_OPTS}} adds to {@link #JVM_FLAGS} for this launch: the flags of
     *                       its class-data archive, or none.
     * @return the argv.
     */
    static List<String> command(
        final Path home, final ServiceDefinition definition, final List<String> classDataFlags)
    {
        return definition.resolveCommand(variables(home, definition, classDataFlags));
    }

    /**
     * The variables a command line may use: {@code ${JAVA}}, {@code ${RINGPORT_CLASSPATH}},
     * {@code ${RINGPORT_JVM_OPTS}}, {@code ${RINGPORT_HOME}} and {@code ${DEFINITION_DIR}}.
     */
    private static Map<String, List<String>> variables(
        final Path home, final ServiceDefinition definition, final List<String> classDataFlags)
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final List<String> jvmOptions = new ArrayList<>(JVM_FLAGS);
        jvmOptions.addAll(classDataFlags);
        return Map.of(
            "JAVA", List.of(java.toString()),
            "RINGPORT_CLASSPATH", List.of(absoluteClassPath()),
            "RINGPORT_JVM_OPTS", jvmOptions,
            "RINGPORT_HOME", List.of(home.toString()),
            "DEFINITION_DIR", List.of(definition.file().toAbsolutePath().getParent().toString()));
    }

    static ProcessBuilder processBuilder(
        final List<String> command,
        final ServiceDefinition definition,
        final Path home,
        final Path port,
        final String checkInToken)
    {
        final ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        final Map<String, String> env = builder.environment();
        env.putAll(definition.environment());
        env.put(RingportEnvironment.HOME, home.toString());
        env.put(RingportEnvironment.SERVICE, definition.name());
        env.put(RingportEnvironment.PORT, port.toString());
        env.put(RingportEnvironment.CHECKIN_TOKEN, checkInToken);
        definition.workingDirectory().ifPresent(dir -> builder.directory(dir.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return builder;
    }

    private static String absoluteClassPath()
    {
        final String[] entries = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        final StringBuilder sb = new StringBuilder();
        for (final String entry : entries)
        {
            if (!entry.isEmpty())
            {
                if (sb.length() > 0)
                {
                    sb.append(java.io.File.pathSeparatorChar);
                }
                sb.append(Path.of(entry).toAbsolutePath());
            }
        }
        return sb.toString();
    }
}
