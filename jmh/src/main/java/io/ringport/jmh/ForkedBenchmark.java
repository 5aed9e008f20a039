package io.ringport.jmh;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Defaults every benchmark class inherits: one fork with the flags of {@link JvmFlags}, and short iterations for a
 * shared 2-vCPU machine. The command line overrides them ({@code -f -wi -i -w -r}).
 */
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.AGRONA, JvmFlags.NATIVE_ACCESS, JvmFlags.NO_ANALYTICS,
    JvmFlags.CHRONICLE_EXPORT_REF, JvmFlags.CHRONICLE_EXPORT_NIO_CH, JvmFlags.CHRONICLE_EXPORT_MISC,
    JvmFlags.CHRONICLE_EXPORT_JAVAC_FILE, JvmFlags.CHRONICLE_OPEN_JAVAC, JvmFlags.CHRONICLE_OPEN_LANG,
    JvmFlags.CHRONICLE_OPEN_REFLECT, JvmFlags.CHRONICLE_OPEN_IO, JvmFlags.CHRONICLE_OPEN_UTIL,
    JvmFlags.CHRONICLE_OPEN_NIO, JvmFlags.CHRONICLE_OPEN_NIO_CH,
    JvmFlags.SERIAL_GC })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class ForkedBenchmark
{
}
