package io.ringport.client;

import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;
import io.ringport.sample.TrainingSample;
import io.ringport.sample.TrainingSampleDeep;
import io.ringport.sample.TrainingSample.Handler;
import io.ringport.sample.TrainingSample.Main;
import org.agrona.collections.Int2IntHashMap;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a class-data training run loads for a service ({@link TrainingSample} stands for one), read from real class
 * files and loaded into a class loader of the test's own, which shows what it loaded and that nothing ran.
 */
class TrainingClassesTest
{
    @Test
    void aClassFileNamesTheClassesOfItsConstantPoolArraysByTheirElement() throws IOException
    {
        final List<String> names = names(Main.class);
        assertTrue(names.containsAll(List.of(internal(Main.class), internal(Handler.class),
            internal(Int2IntHashMap.class), "java/lang/Object")), names.toString());
        // The handler names the deep class only as TrainingSampleDeep[][]: its element, not the array, is loaded.
        final List<String> handlerNames = names(Handler.class);
        assertTrue(handlerNames.contains(internal(TrainingSampleDeep.class)), handlerNames.toString());
        assertFalse(handlerNames.stream().anyMatch(name -> name.startsWith("[")), handlerNames.toString());
    }

    @Test
    void whatIsNotAClassFileNamesNothingAndACutOneFailsToRead()
    {
        assertEquals(List.of(), assertDoesNotFail(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 0}));
        final byte[] cut = Arrays.copyOf(bytes(Main.class), 40);
        assertThrows(EOFException.class, () -> TrainingClasses.namedClasses(new ByteArrayInputStream(cut)));
    }

    @Test
    void aServiceClosureIsLoadedFromItsOwnEntryWithoutRunningAnyOfIt() throws IOException
    {
        System.clearProperty(TrainingSample.INITIALISED);
        try (Probe probe = new Probe(location(Main.class), location(Int2IntHashMap.class)))
        {
            final int loaded = TrainingClasses.loadService(Main.class.getName(), probe);
            assertTrue(probe.has(Main.class) && probe.has(Handler.class) && probe.has(TrainingSampleDeep.class),
                "the main class, a class it names and one that one names");
            assertTrue(loaded >= 3, "loaded " + loaded);
            assertFalse(probe.has(Int2IntHashMap.class), "a class of another class-path entry is left to its launch");
            assertEquals(null, System.getProperty(TrainingSample.INITIALISED), "no static initialiser ran");
            assertEquals(0, TrainingClasses.loadService("io.ringport.client.NoSuchMain", probe), "no main, nothing");
        }
    }

    @Test
    void everyRingportClientAndCoreClassIsLoaded() throws IOException
    {
        try (Probe probe = new Probe(location(TrainingClasses.class), location(RingFile.class),
            location(Int2IntHashMap.class)))
        {
            final int loaded = TrainingClasses.loadRingport(probe);
            assertTrue(probe.has(PortRecord.Disconnect.class) && probe.has(ConnectionEvent.class) &&
                probe.has(ClassDataTraining.class), "classes the training's request does not reach");
            assertTrue(loaded > 50, "loaded " + loaded);
        }
    }

    /** Loads from the given entries only (the JDK from its parent) and says what it loaded. */
    private static final class Probe extends URLClassLoader
    {
        Probe(final URL... entries)
        {
            super(entries, ClassLoader.getPlatformClassLoader());
        }

        boolean has(final Class<?> type)
        {
            return null != findLoadedClass(type.getName());
        }
    }

    private static List<String> assertDoesNotFail(final byte[] bytes)
    {
        try
        {
            return TrainingClasses.namedClasses(new ByteArrayInputStream(bytes));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static List<String> names(final Class<?> type) throws IOException
    {
        return TrainingClasses.namedClasses(new ByteArrayInputStream(bytes(type)));
    }

    private static byte[] bytes(final Class<?> type)
    {
        try (InputStream in = type.getClassLoader().getResourceAsStream(internal(type) + ".class"))
        {
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static URL location(final Class<?> type)
    {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static String internal(final Class<?> type)
    {
        return type.getName().replace('.', '/');
    }
}
