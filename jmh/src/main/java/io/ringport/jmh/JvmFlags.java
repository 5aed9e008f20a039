package io.ringport.jmh;

import java.util.List;

/**
 * JVM flags of every benchmark JVM: the forked JMH JVMs ({@link ForkedBenchmark}) and the partner processes they
 * spawn ({@link PartnerProcess}).
 */
public final class JvmFlags
{
    /** Agrona 2.x uses {@code jdk.internal.misc.Unsafe}. */
    public static final String AGRONA = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** The doorbell's JNI library (and JNA, Aeron's and Chronicle's native code): no warning on JDK 24 and later. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Chronicle libraries must not phone home; set before any Chronicle class loads. */
    public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    /** Chronicle Queue on Java 17 (its documented list), from here to {@link #CHRONICLE_OPEN_NIO_CH}. */
    public static final String CHRONICLE_EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_EXPORT_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_EXPORT_JAVAC_FILE = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    /** Chronicle Queue on Java 17. */
    public static final String CHRONICLE_OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** Chronicle Queue on Java 17 (and Aeron's driver). */
    public static final String CHRONICLE_OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Two vCPUs: no parallel GC threads competing with the spinning threads. */
    public static final String SERIAL_GC = "-XX:+UseSerialGC";

    /** All of the above, in order, for the command lines of partner processes. */
    public static final List<String> ALL = List.of(
        AGRONA, NATIVE_ACCESS, NO_ANALYTICS,
        CHRONICLE_EXPORT_REF, CHRONICLE_EXPORT_NIO_CH, CHRONICLE_EXPORT_MISC, CHRONICLE_EXPORT_JAVAC_FILE,
        CHRONICLE_OPEN_JAVAC, CHRONICLE_OPEN_LANG, CHRONICLE_OPEN_REFLECT, CHRONICLE_OPEN_IO, CHRONICLE_OPEN_UTIL,
        CHRONICLE_OPEN_NIO, CHRONICLE_OPEN_NIO_CH,
        SERIAL_GC);

    private JvmFlags()
    {
    }
}
