package io.ringport.jmh.partner;

import io.ringport.jmh.Role;

import java.io.IOException;
import java.util.Arrays;

/**
 * Entry point of a partner process: the echo or sink end of one transport, spawned by the benchmark JVM.
 * <pre>
 *   raw       echo FILE SIZE APART (true: the payload on the line after the flag's)
 *   agrona    ROLE FILE CAPACITY agrona|ringport (whose ring)
 *   aeron     ROLE AERON_DIR CHANNEL
 *   chronicle ROLE C2S_DIR S2C_DIR PROGRESS_FILE
 *   socket    ROLE unix PATH | tcp
 *   doorbell  echo futex FILE | selector PATH
 * </pre>
 * It prints {@code ready} (with a TCP port, for tcp) once the other end may start, and stops when its standard
 * input ends: the benchmark closed it, or the benchmark JVM died.
 */
public final class PartnerMain
{
    private static volatile boolean running = true;

    private PartnerMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args see the class comment.
     * @throws Exception when the partner fails; it exits non-zero.
     */
    public static void main(final String[] args) throws Exception
    {
        watchStandardInput();
        final Role role = Role.of(args[1]);
        final String[] rest = Arrays.copyOfRange(args, 2, args.length);
        switch (args[0])
        {
            case "raw" -> RawPartner.run(rest);
            case "agrona" -> AgronaPartner.run(role, rest);
            case "aeron" -> AeronPartner.run(role, rest);
            case "chronicle" -> ChroniclePartner.run(role, rest);
            case "socket" -> SocketPartner.run(role, rest);
            case "doorbell" -> DoorbellPartner.run(rest);
            default -> throw new IllegalArgumentException("unknown partner kind: " + args[0]);
        }
        System.exit(0);
    }

    /**
     * Should the partner keep going?
     *
     * @return false once the benchmark asked it to stop.
     */
    public static boolean running()
    {
        return running;
    }

    /**
     * Tell the benchmark the partner is ready.
     *
     * @param detail appended to {@code ready}, or empty.
     */
    public static void ready(final String detail)
    {
        System.out.println(detail.isEmpty() ? "ready" : "ready " + detail);
        System.out.flush();
    }

    private static void watchStandardInput()
    {
        final Thread watcher = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    Thread.onSpinWait();
                }
            }
            catch (final IOException ex)
            {
                // Treated as the end of input.
            }
            running = false;
            // A partner stuck in a blocking call still goes.
            try
            {
                Thread.sleep(3_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(0);
        }, "stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
