package io.ringport.core;

import java.nio.file.Path;

/**
 * Names of the environment variables and system properties through which processes find the daemon and inherit
 * their port, and the default home.
 */
public final class RingportEnvironment
{
    /** Directory of the daemon's socket, counters and ring files. */
    public static final String HOME = "RINGPORT_HOME";

    /** System property that overrides {@link #HOME}. */
    public static final String HOME_PROPERTY = "ringport.home";

    /** Set by the daemon in a launched service: the service name it was launched for. */
    public static final String SERVICE = "RINGPORT_SERVICE";

    /** Set by the daemon in a launched service: path of its port ring. */
    public static final String PORT = "RINGPORT_PORT";

    /** Set by the daemon in a launched service: the one-time token to check in with. */
    public static final String CHECKIN_TOKEN = "RINGPORT_CHECKIN_TOKEN";

    /**
     * The main class of a class-data training run ({@code io.ringport.client.ClassDataTraining}): the daemon runs a
     * service's JVM command with it in place of the service's main class before the service's first launch.
     */
    public static final String CLASS_DATA_TRAINING_MAIN = "io.ringport.client.ClassDataTraining";

    private RingportEnvironment()
    {
    }

    /**
     * The home this process should use: {@code -Dringport.home}, else {@code RINGPORT_HOME}, else
     * {@code /dev/shm/ringport-$USER}.
     *
     * @return the home directory.
     */
    public static Path home()
    {
        final String property = System.getProperty(HOME_PROPERTY);
        if (null != property && !property.isEmpty())
        {
            return Path.of(property);
        }
        final String env = System.getenv(HOME);
        if (null != env && !env.isEmpty())
        {
            return Path.of(env);
        }
        return defaultHome();
    }

    /**
     * The default home, {@code /dev/shm/ringport-$USER}.
     *
     * @return the default home directory.
     */
    public static Path defaultHome()
    {
        return Path.of("/dev/shm", "ringport-" + System.getProperty("user.name"));
    }
}
