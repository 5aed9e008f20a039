package io.ringport.daemon;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The identity of a class-data archive: a hash of everything a JVM checks before it maps an archive, so that an
 * archive is only ever offered to the launch it was made for. That is the command line, the working directory, the
 * JVM options in the environment, the JDK (its launcher, {@code release}, {@code lib/modules}, {@code libjvm.so} and
 * default CDS archive) and every class-path entry, each file by path, size and modification time.
 * <p>
 * A launch that an archive cannot serve is refused with the reason: no class path option, a directory or a missing
 * entry on the class path (the JVM refuses to archive with a non-empty directory there), a program that is not the
 * launcher of a JDK 17 or later, or a command that sets class-data sharing itself.
 */
final class ClassDataFingerprint
{
    /** Hex digits of the hash in an archive's name: 64 bits. */
    static final int HEX_LENGTH = 16;

    /** Environment variables that add JVM options to a launch. */
    static final List<String> JVM_OPTIONS_ENVIRONMENT = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private static final int MIN_JAVA_FEATURE = 17;
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
    private static final String JAVA = "java";
    private static final String WILDCARD = "*";

    private final Path workingDirectory;
    private final MessageDigest digest;
    private final Set<Path> seen = new HashSet<>();

    private ClassDataFingerprint(final Path workingDirectory)
    {
        this.workingDirectory = workingDirectory;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }

    /**
     * The hash of a launch, as {@link #HEX_LENGTH} lower-case hex digits.
     *
     * @param argv             the command, variables expanded, without class-data sharing flags.
     * @param workingDirectory absolute working directory of the process; relative paths resolve against it.
     * @param environment      the environment of the process: {@code PATH} finds the program, and
     *                         {@link #JVM_OPTIONS_ENVIRONMENT} are part of the hash.
     * @return the hash.
     * @throws IllegalArgumentException saying why no archive can serve this launch.
     */
    static String of(final List<String> argv, final Path workingDirectory, final Map<String, String> environment)
    {
        final JavaCommandLine command = JavaCommandLine.parse(argv);
        final ClassDataFingerprint fingerprint = new ClassDataFingerprint(workingDirectory);
        fingerprint.add("argv " + argv.size());
        for (final String arg : argv)
        {
            fingerprint.add(arg);
        }
        fingerprint.add("cwd " + workingDirectory);
        for (final String name : JVM_OPTIONS_ENVIRONMENT)
        {
            final String value = environment.get(name);
            if (null != value)
            {
                for (final String option : value.trim().split("\\s+"))
                {
                    if (JavaCommandLine.isSharingOption(option))
                    {
                        throw new IllegalArgumentException("its environment sets class-data sharing itself (" + name +
                            " has " + option + ")");
                    }
                    if (JavaCommandLine.isNativeAgent(option))
                    {
                        throw new IllegalArgumentException("its environment loads a native agent (" + name + " has " +
                            option + "), " + JavaCommandLine.NO_DUMP_WITH_AGENT);
                    }
                }
                fingerprint.add("env " + name + "=" + value);
            }
        }
        fingerprint.addJdk(fingerprint.program(command.program(), environment.get("PATH")));
        if (command.jar())
        {
            fingerprint.addEntry(command.classPath());
        }
        else
        {
            for (final String entry : command.classPath().split(File.pathSeparator, -1))
            {
                fingerprint.addEntry(entry);
            }
        }
        return HexFormat.of().formatHex(fingerprint.digest.digest(), 0, HEX_LENGTH / 2);
    }

    /** Where the program of the command is, found as exec finds it: a path with a slash, or on PATH. */
    private Path program(final String program, final String searchPath)
    {
        if (program.contains("/"))
        {
            return resolve(program);
        }
        if (null != searchPath)
        {
            for (final String dir : searchPath.split(File.pathSeparator, -1))
            {
                final Path candidate = resolve(dir.isEmpty() ? "." : dir).resolve(program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new IllegalArgumentException("its program '" + program + "' is not on PATH");
    }

    private void addJdk(final Path program)
    {
        final Path launcher;
        try
        {
            launcher = program.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("its program " + program + " cannot be found (" + ex + ")");
        }
        final Path bin = launcher.getParent();
        if (!JAVA.equals(launcher.getFileName().toString()) || null == bin || null == bin.getParent() ||
            !"bin".equals(bin.getFileName().toString()))
        {
            throw new IllegalArgumentException("its program " + program + " is not a java launcher (" + launcher + ")");
        }
        final Path jdk = bin.getParent();
        final Path release = jdk.resolve("release");
        final String text;
        try
        {
            text = Files.readString(release, UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("its JDK " + jdk + " has no readable release file, so its version is " +
                "unknown");
        }
        final Matcher version = JAVA_VERSION.matcher(text);
        final int feature = version.find() ? Integer.parseInt(version.group(1)) : 0;
        if (feature < MIN_JAVA_FEATURE)
        {
            throw new IllegalArgumentException("its JDK " + jdk + " is not version " + MIN_JAVA_FEATURE + " or later");
        }
        final Path baseArchive = jdk.resolve("lib").resolve("server").resolve("classes.jsa");
        if (!Files.isRegularFile(baseArchive))
        {
            throw new IllegalArgumentException("its JDK " + jdk + " has no default CDS archive (" + baseArchive + ")");
        }
        addFile(launcher);
        addFile(release);
        addFile(jdk.resolve("lib").resolve("modules"));
        addFile(jdk.resolve("lib").resolve("server").resolve("libjvm.so"));
        addFile(baseArchive);
    }

    /** One entry of the class path as the command gives it, as the JVM reads it. */
    private void addEntry(final String entry)
    {
        if (entry.isEmpty())
        {
            throw new IllegalArgumentException("its class path has an empty entry, which means the working " +
                "directory " + workingDirectory);
        }
        if (WILDCARD.equals(entry) || entry.endsWith("/" + WILDCARD))
        {
            addWildcard(resolve(entry.substring(0, entry.length() - 1)));
            return;
        }
        final Path path = resolve(entry);
        if (Files.isDirectory(path))
        {
            throw new IllegalArgumentException("its class path has a directory: " + path);
        }
        if (!Files.exists(path))
        {
            throw new IllegalArgumentException("its class path entry " + path + " does not exist");
        }
        addJar(path);
    }

    /** {@code dir/*}: the JVM puts every .jar and .JAR file of the directory on the class path. */
    private void addWildcard(final Path dir)
    {
        add("wildcard " + dir);
        if (!Files.isDirectory(dir))
        {
            return;
        }
        final List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jar,JAR}"))
        {
            for (final Path file : files)
            {
                jars.add(file);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot list its class path directory " + dir + " (" + ex + ")");
        }
        jars.sort(null);
        for (final Path jar : jars)
        {
            addJar(jar);
        }
    }

    /** A jar, and what the Class-Path attribute of its manifest adds, as the JVM adds it. */
    private void addJar(final Path jar)
    {
        if (!seen.add(jar))
        {
            return;
        }
        addFile(jar);
        for (final Path entry : manifestClassPath(jar))
        {
            if (Files.isDirectory(entry))
            {
                throw new IllegalArgumentException("the manifest of " + jar + " puts a directory on its class path: " +
                    entry);
            }
            if (Files.exists(entry))
            {
                addJar(entry);
            }
            else
            {
                // The JVM skips it; it counts when it appears.
                add("missing " + entry);
            }
        }
    }

    private static List<Path> manifestClassPath(final Path jar)
    {
        final String classPath;
        try (JarFile file = new JarFile(jar.toFile(), false))
        {
            final Manifest manifest = file.getManifest();
            classPath = null == manifest ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("its class path entry " + jar + " is not a readable jar (" + ex + ")");
        }
        final List<Path> entries = new ArrayList<>();
        if (null == classPath)
        {
            return entries;
        }
        final URI base = jar.getParent().toUri();
        for (final String url : classPath.trim().split("\\s+"))
        {
            try
            {
                final URI resolved = base.resolve(url);
                if ("file".equals(resolved.getScheme()))
                {
                    entries.add(Path.of(resolved).normalize());
                }
            }
            catch (final IllegalArgumentException ex)
            {
                // Not a URL the JVM could use either: it ignores it.
            }
        }
        return entries;
    }

    private Path resolve(final String path)
    {
        try
        {
            return workingDirectory.resolve(path).normalize();
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException("'" + path + "' is not a path (" + ex.getReason() + ")");
        }
    }

    /** A file by path, size and modification time, or as missing. */
    private void addFile(final Path file)
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            add("file " + file + " " + attributes.size() + " " + attributes.lastModifiedTime());
        }
        catch (final IOException ex)
        {
            add("missing " + file);
        }
    }

    private void add(final String text)
    {
        final byte[] bytes = text.getBytes(UTF_8);
        digest.update((byte)(bytes.length >>> 24));
        digest.update((byte)(bytes.length >>> 16));
        digest.update((byte)(bytes.length >>> 8));
        digest.update((byte)bytes.length);
        digest.update(bytes);
    }
}
