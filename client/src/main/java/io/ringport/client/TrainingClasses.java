package io.ringport.client;

import io.ringport.core.ring.RingFile;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The classes a class-data training run loads besides those its own start-up path loads, so that the service's
 * launch finds every class it needs in the archive.
 * <p>
 * A JVM whose classes all come from its archive never opens the jars of its class path; one class that is not in
 * the archive makes it open that class's jar and read the jar's whole directory, in the interpreter: 15-25 ms of a
 * start for the benchmarks' 14 MB jar of 8,000 entries (measured: a JVM that prints a line, with and without its
 * main class in an archive). The training run cannot run the service's code, so it takes two guesses, both loaded
 * and never initialised (none of their code runs): every class of Ringport's client and core packages (a service
 * reaches some the training's one request does not, such as a disconnect record), and the classes the service's main
 * class names, and the ones those name, as far as they come from the main class's own class-path entry (not through
 * Ringport's classes: what they need on a service's way to its first message, the training's request loads; following
 * them into a jar that holds everything, as the benchmarks' does, took in a hundred classes of JNA).
 */
final class TrainingClasses
{
    /** Most classes taken from the service's own class-path entry, nearest to its main class first. */
    static final int MAX_SERVICE_CLASSES = 1000;

    private static final List<String> RINGPORT_PACKAGES = List.of("io/ringport/client/", "io/ringport/core/");
    private static final String CLASS_SUFFIX = ".class";
    private static final int CLASS_FILE_MAGIC = 0xCAFEBABE;

    private TrainingClasses()
    {
    }

    /**
     * Load every class of Ringport's client and core packages from where this class and the core's were loaded.
     *
     * @param loader to load them with.
     * @return how many classes it loaded or found loaded.
     */
    static int loadRingport(final ClassLoader loader)
    {
        int loaded = 0;
        final List<String> names = new ArrayList<>();
        names.addAll(classesUnder(TrainingClasses.class, RINGPORT_PACKAGES.get(0)));
        names.addAll(classesUnder(RingFile.class, RINGPORT_PACKAGES.get(1)));
        for (final String name : names)
        {
            loaded += load(name, loader) ? 1 : 0;
        }
        return loaded;
    }

    /**
     * Load the classes a main class names in its constant pool, and theirs in turn, breadth first, as long as they
     * come from the same class-path entry (jar or directory) as the main class, up to {@link #MAX_SERVICE_CLASSES};
     * Ringport's own classes are not followed.
     *
     * @param mainClass binary name of the service's main class.
     * @param loader    to load them with.
     * @return how many classes it loaded, the main class included; 0 when the main class is not found.
     */
    static int loadService(final String mainClass, final ClassLoader loader)
    {
        final String mainResource = resourceOf(mainClass.replace('.', '/'));
        final URL mainUrl = loader.getResource(mainResource);
        if (null == mainUrl)
        {
            return 0;
        }
        final String entry = mainUrl.toString().substring(0, mainUrl.toString().length() - mainResource.length());
        final Set<String> seen = new HashSet<>();
        final Queue<String> queue = new ArrayDeque<>();
        seen.add(mainClass.replace('.', '/'));
        queue.add(mainClass.replace('.', '/'));
        int loaded = 0;
        while (!queue.isEmpty() && loaded < MAX_SERVICE_CLASSES)
        {
            final String internalName = queue.remove();
            final URL url = loader.getResource(resourceOf(internalName));
            if (null == url || !url.toString().startsWith(entry) || !load(internalName.replace('/', '.'), loader))
            {
                continue;
            }
            loaded++;
            for (final String named : namedClasses(url))
            {
                if (!isRingport(named) && seen.add(named))
                {
                    queue.add(named);
                }
            }
        }
        return loaded;
    }

    /**
     * The classes a class file names in its constant pool, as internal names; array types by their element class.
     *
     * @param bytes of the class file.
     * @return the names, empty when it is not a class file this reader understands.
     * @throws IOException when the stream fails.
     */
    static List<String> namedClasses(final InputStream bytes) throws IOException
    {
        final DataInputStream in = new DataInputStream(bytes);
        if (CLASS_FILE_MAGIC != in.readInt())
        {
            return List.of();
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        final int count = in.readUnsignedShort();
        final String[] utf8 = new String[count];
        final List<Integer> classNameIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++)
        {
            final int tag = in.readUnsignedByte();
            switch (tag)
            {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndexes.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 5, 6 ->
                {
                    in.readLong();
                    i++;
                }
                default ->
                {
                    return List.of();
                }
            }
        }
        final List<String> names = new ArrayList<>();
        for (final int index : classNameIndexes)
        {
            String name = index < count ? utf8[index] : null;
            if (null != name && name.startsWith("["))
            {
                final int element = name.lastIndexOf('[') + 1;
                name = name.charAt(element) == 'L' && name.endsWith(";") ?
                    name.substring(element + 1, name.length() - 1) : null;
            }
            if (null != name)
            {
                names.add(name);
            }
        }
        return names;
    }

    private static List<String> namedClasses(final URL url)
    {
        try (InputStream in = url.openStream())
        {
            return namedClasses(in);
        }
        catch (final IOException | RuntimeException ex)
        {
            return List.of();
        }
    }

    private static boolean load(final String name, final ClassLoader loader)
    {
        try
        {
            Class.forName(name, false, loader);
            return true;
        }
        catch (final ClassNotFoundException | LinkageError | RuntimeException ex)
        {
            // Then it comes from its jar at launch, as without training (a sealed or signed package refuses it with
            // a SecurityException).
            return false;
        }
    }

    private static List<String> classesUnder(final Class<?> anchor, final String packagePrefix)
    {
        final List<String> names = new ArrayList<>();
        try
        {
            final Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location))
            {
                final Path root = location.resolve(packagePrefix);
                if (Files.isDirectory(root))
                {
                    try (Stream<Path> files = Files.walk(root))
                    {
                        files.map(file -> location.relativize(file).toString().replace('\\', '/'))
                            .forEach(resource -> addClass(names, resource));
                    }
                }
            }
            else
            {
                try (JarFile jar = new JarFile(location.toFile()))
                {
                    final Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements())
                    {
                        final String resource = entries.nextElement().getName();
                        if (resource.startsWith(packagePrefix))
                        {
                            addClass(names, resource);
                        }
                    }
                }
            }
        }
        catch (final IOException | URISyntaxException | RuntimeException ex)
        {
            // No list: the start-up path's own classes are in the archive all the same.
        }
        return names;
    }

    private static void addClass(final List<String> names, final String resource)
    {
        if (resource.endsWith(CLASS_SUFFIX) && !resource.endsWith("module-info.class") &&
            !resource.endsWith("package-info.class"))
        {
            names.add(resource.substring(0, resource.length() - CLASS_SUFFIX.length()).replace('/', '.'));
        }
    }

    private static boolean isRingport(final String internalName)
    {
        for (final String prefix : RINGPORT_PACKAGES)
        {
            if (internalName.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    private static String resourceOf(final String internalName)
    {
        return internalName + CLASS_SUFFIX;
    }
}
