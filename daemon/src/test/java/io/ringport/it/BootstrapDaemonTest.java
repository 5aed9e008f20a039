package io.ringport.it;

import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon on its own: home, definitions, port rings, the control protocol and shutdown.
 */
class BootstrapDaemonTest
{
    @Test
    void homeIsPrivateAndEachGoodDefinitionGetsAPortRingWhileABadOneIsRefusedWithFileKeyAndReason() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create()
            .defineTestService("test.alpha")
            .defineTestService("test.beta")
            .define("broken.properties", "name = test.broken", "command = true", "throttleInterval = 10 parsecs")
            .start())
        {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.home)));
            assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(daemon.home.resolve("bootstrap.sock"))));

            final List<ServiceInfo> services;
            try (Ringport ringport = daemon.open())
            {
                services = ringport.listServices();
            }
            assertEquals(List.of("test.alpha", "test.beta"), services.stream().map(ServiceInfo::name).toList());
            assertTrue(services.stream().allMatch(s -> "IDLE".equals(s.state()) && 0 == s.pid()));

            final List<String> ports = daemon.ringFiles();
            assertEquals(2, ports.size(), ports.toString());
            for (final String port : ports)
            {
                assertTrue(port.matches("port-[0-9a-f]{32}\\.ring"), port);
                assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(daemon.home.resolve(port))));
            }
            final String log = daemon.log();
            assertTrue(log.contains("broken.properties: key 'throttleInterval': not a duration"), log);
        }
    }

    @Test
    void malformedAndOversizedFramesCloseOnlyTheOffendingSession() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.alpha").start();
            RawSession good = new RawSession(daemon.home).hello())
        {
            try (RawSession oversized = new RawSession(daemon.home).hello())
            {
                oversized.write(ByteBuffer.allocate(4).putInt(0, 64 * 1024 * 1024));
                assertTrue(oversized.closedByDaemon());
            }
            try (RawSession garbage = new RawSession(daemon.home).hello())
            {
                garbage.write(ByteBuffer.allocate(16).putInt(0, 12).putShort(4, (short)99).putShort(6, (short)3));
                assertTrue(garbage.closedByDaemon());
            }
            try (RawSession noHello = new RawSession(daemon.home))
            {
                noHello.write(io.ringport.core.control.ControlCodec.encode(1, new ControlMessage.ListServices()));
                assertTrue(noHello.closedByDaemon());
            }
            final long nobody = java.util.stream.LongStream.range(4_000_000, 4_100_000)
                .filter(pid -> ProcessHandle.of(pid).isEmpty()).findFirst().orElseThrow();
            try (RawSession liar = new RawSession(daemon.home))
            {
                liar.write(io.ringport.core.control.ControlCodec.encode(1, new ControlMessage.Hello(nobody)));
                assertTrue(liar.closedByDaemon(), "a pid that does not run cannot be the caller's");
            }

            final ControlMessage list = good.call(new ControlMessage.ListServices());
            assertEquals(1, assertInstanceOf(ControlMessage.ServiceList.class, list).services().size());
            final String log = daemon.log();
            assertTrue(log.contains("frame length 67108864 outside"), log);
            assertTrue(log.contains("protocol version 99"), log);
            assertTrue(log.contains("first frame must be HELLO"), log);
            assertTrue(log.contains("stated pid " + nobody + " is not a running process"), log);
        }
    }

    @Test
    void checkInNeedsTheTokenOfAPendingLaunch() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.alpha").start();
            RawSession impostor = new RawSession(daemon.home).hello())
        {
            final ControlMessage idle = impostor.call(new ControlMessage.CheckIn("test.alpha", "00"));
            assertEquals(ErrorCode.CHECK_IN_REFUSED.wireCode(), assertInstanceOf(ControlMessage.Error.class, idle).code());
            assertTrue(((ControlMessage.Error)idle).message().contains("no launch of it is waiting"));

            try (Ringport ringport = daemon.open())
            {
                ringport.connect("test.alpha").requestSync(bytes("Eup"), TIMEOUT);
            }
            daemon.running("test.alpha");
            final ControlMessage running = impostor.call(new ControlMessage.CheckIn("test.alpha", "00"));
            assertTrue(((ControlMessage.Error)running).message().contains("already checked in by pid"), running.toString());

            final ControlMessage unknown = impostor.call(new ControlMessage.CheckIn("test.none", "00"));
            assertEquals(ErrorCode.UNKNOWN_SERVICE.wireCode(), ((ControlMessage.Error)unknown).code());
        }
    }

    @Test
    void shutdownStopsServicesAndRemovesEveryFile() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.alpha").start())
        {
            final long servicePid;
            try (Ringport ringport = daemon.open())
            {
                ringport.connect("test.alpha").requestSync(bytes("Eup"), TIMEOUT);
                servicePid = daemon.service("test.alpha").pid();
                ringport.shutdownDaemon();
            }
            assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, daemon.process().exitValue());
            assertFalse(ProcessHandle.of(servicePid).map(ProcessHandle::isAlive).orElse(false), "service stopped");
            assertFalse(Files.exists(daemon.home), "home removed with everything in it");
        }
    }

    @Test
    void aSecondDaemonForTheSameHomeIsRefusedAndStaleFilesAreSweptAtStart() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.alpha"))
        {
            final Path stale = daemon.home.resolve("c2s-00000000000000000000000000000000.ring");
            Files.write(stale, new byte[64]);
            daemon.start();
            assertFalse(Files.exists(stale), "a file no live process owns is swept");

            final CliTest.Run second = daemon.secondDaemon();
            assertEquals(2, second.exit(), second.err());
            assertTrue(second.err().contains("a daemon is already serving"), second.err());
            assertTrue(daemon.process().isAlive());
        }
    }
}
