package io.ringport.daemon;

import io.ringport.core.RingportEnvironment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Configuration of a daemon: set what differs from the defaults, then {@link #conclude()}.
 */
public final class DaemonContext
{
    /** Environment variable naming the services directory when {@code --services} is not given. */
    public static final String SERVICES_ENV = "RINGPORT_SERVICES";

    /** Name of the default {@link #classDataDir()} in the home. */
    public static final String CLASS_DATA_DIR_NAME = "cds";

    private Path home;
    private Path servicesDir;
    private Path classDataDir;
    private boolean classDataSharing = true;
    private boolean classDataTraining = true;
    private PrintStream log = System.err;
    private boolean concluded;

    /**
     * Directory of the socket and ring files.
     *
     * @param home the directory; default {@link RingportEnvironment#home()}.
     * @return this.
     */
    public DaemonContext home(final Path home)
    {
        this.home = home;
        return this;
    }

    /**
     * Directory of the service definition files.
     *
     * @param servicesDir the directory; default {@code $RINGPORT_SERVICES} or {@code ~/.config/ringport/services}.
     * @return this.
     */
    public DaemonContext servicesDir(final Path servicesDir)
    {
        this.servicesDir = servicesDir;
        return this;
    }

    /**
     * Whether launched JVMs get class-data archives: see {@link #classDataDir(Path)}.
     *
     * @param classDataSharing false to launch every service without; default true. A service's definition can
     *                         also turn it off for that service.
     * @return this.
     */
    public DaemonContext classDataSharing(final boolean classDataSharing)
    {
        this.classDataSharing = classDataSharing;
        return this;
    }

    /**
     * Whether a service that has no class-data archive yet gets one before its first launch, from a training run of
     * its JVM command with Ringport's own start-up in place of the service's main class (one at a time, in the
     * background, after the daemon has been {@link #TRAINING_DELAY_MS} ms without launching anything).
     *
     * @param classDataTraining false to let a service's first launch make its archive; default true. Without
     *                          {@link #classDataSharing(boolean)} there is nothing to train.
     * @return this.
     */
    public DaemonContext classDataTraining(final boolean classDataTraining)
    {
        this.classDataTraining = classDataTraining;
        return this;
    }

    /** How long the daemon must have launched nothing before it trains: a training run takes a core for a while. */
    public static final long TRAINING_DELAY_MS = 1_000;

    /**
     * Directory of the class-data archives: one per service, made by one launch of its JVM as it exits and used by
     * the following launches, for as long as its command line, JDK and class path stay the same.
     *
     * @param classDataDir the directory, created with mode 0700 when first needed; default {@code HOME/cds}.
     * @return this.
     */
    public DaemonContext classDataDir(final Path classDataDir)
    {
        this.classDataDir = classDataDir;
        return this;
    }

    /**
     * Where the daemon writes its log lines.
     *
     * @param log the stream; default standard error.
     * @return this.
     */
    public DaemonContext log(final PrintStream log)
    {
        this.log = log;
        return this;
    }

    /**
     * Fill in defaults and make paths absolute.
     *
     * @return this.
     */
    public DaemonContext conclude()
    {
        if (!concluded)
        {
            concluded = true;
            home = (null == home ? RingportEnvironment.home() : home).toAbsolutePath().normalize();
            if (null == servicesDir)
            {
                final String env = System.getenv(SERVICES_ENV);
                servicesDir = null != env && !env.isEmpty() ?
                    Path.of(env) : Path.of(System.getProperty("user.home"), ".config", "ringport", "services");
            }
            servicesDir = servicesDir.toAbsolutePath().normalize();
            classDataDir = (null == classDataDir ? home.resolve(CLASS_DATA_DIR_NAME) : classDataDir)
                .toAbsolutePath().normalize();
        }
        return this;
    }

    /**
     * The home directory.
     *
     * @return the home, after {@link #conclude()}.
     */
    public Path home()
    {
        return home;
    }

    /**
     * The services directory.
     *
     * @return the directory, after {@link #conclude()}.
     */
    public Path servicesDir()
    {
        return servicesDir;
    }

    /**
     * Whether launched JVMs get class-data archives.
     *
     * @return true unless turned off.
     */
    public boolean classDataSharing()
    {
        return classDataSharing;
    }

    /**
     * Whether services without a class-data archive are trained for one before their first launch.
     *
     * @return true unless turned off, or class-data sharing is off.
     */
    public boolean classDataTraining()
    {
        return classDataSharing && classDataTraining;
    }

    /**
     * The directory of the class-data archives.
     *
     * @return the directory, after {@link #conclude()}.
     */
    public Path classDataDir()
    {
        return classDataDir;
    }

    /**
     * Write a time-stamped log line.
     *
     * @param message what happened.
     */
    public void log(final String message)
    {
        log.println(Instant.now() + " ringportd: " + message);
    }
}
