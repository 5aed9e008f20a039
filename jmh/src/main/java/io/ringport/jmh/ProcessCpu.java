package io.ringport.jmh;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, from the scheduler's per-thread accounting in {@code /proc} (nanoseconds, unlike the
 * clock-tick granularity of {@code /proc/PID/stat}).
 */
public final class ProcessCpu
{
    private ProcessCpu()
    {
    }

    /**
     * CPU time of all live threads of a process.
     *
     * @param pid the process.
     * @return nanoseconds on CPU, summed over {@code /proc/PID/task/TID/schedstat}.
     */
    public static long nanos(final long pid)
    {
        return nanos(pid, "");
    }

    /**
     * CPU time of the live threads of a process whose name starts with a prefix.
     *
     * @param pid    the process.
     * @param prefix of the thread name as the kernel has it ({@code /proc/PID/task/TID/comm}, at most 15 characters);
     *               empty for every thread.
     * @return nanoseconds on CPU.
     */
    public static long nanos(final long pid, final String prefix)
    {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    if (!prefix.isEmpty() && !Files.readString(task.resolve("comm")).startsWith(prefix))
                    {
                        continue;
                    }
                    final String schedstat = Files.readString(task.resolve("schedstat"));
                    total += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                }
                catch (final IOException ex)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the CPU time of process " + pid + ": " + ex, ex);
        }
        return total;
    }
}
