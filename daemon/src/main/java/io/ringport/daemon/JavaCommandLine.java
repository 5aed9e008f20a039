package io.ringport.daemon;

import java.util.List;
import java.util.Set;

/**
 * What the argv of a java launch says about where its classes come from, read the way the java launcher reads it:
 * options up to the main class (or {@code -jar FILE}), the last {@code -cp}, {@code -classpath} or
 * {@code --class-path} among them.
 *
 * @param program   argv[0], the launcher as the command names it.
 * @param classPath  the class path as the command gives it: the value of the last class-path option, or the file
 *                   of {@code -jar}.
 * @param jar        whether {@link #classPath()} is the file of {@code -jar}, not a list of entries.
 * @param optionsEnd index of the first argv entry that is not a JVM option: the main class, {@code -jar}, or the
 *                   length of argv when there is neither.
 */
record JavaCommandLine(String program, String classPath, boolean jar, int optionsEnd)
{
    /** The flag that makes a JVM use a class-data archive. */
    static final String SHARED_ARCHIVE_FILE = "-XX:SharedArchiveFile=";

    /** The flag that makes a JVM write a class-data archive of the classes it loaded when it exits. */
    static final String ARCHIVE_CLASSES_AT_EXIT = "-XX:ArchiveClassesAtExit=";

    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");
    private static final String CLASS_PATH_EQUALS = "--class-path=";
    private static final String JAR = "-jar";

    /** Options of the java launcher whose value is the next argument. */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of(
        "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens", "--enable-native-access",
        "--source");

    /** Why a native agent rules out an archive: with one, the JVM exits at start when asked to write an archive. */
    static final String NO_DUMP_WITH_AGENT = "which the JVM does not combine with writing an archive";

    /** Options that put classes on the module path, which the daemon's archives do not cover. */
    private static final Set<String> MODULE_OPTIONS = Set.of(
        "-p", "--module-path", "--upgrade-module-path", "-m", "--module", "--patch-module");

    /** Option prefixes by which a command takes charge of class-data sharing (or its JDK 24+ successor) itself. */
    private static final List<String> SHARING_OPTIONS = List.of(
        "-Xshare:", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive",
        "-XX:SharedClassListFile", "-XX:DumpLoadedClassList", "-XX:+RecordDynamicDumpInfo", "-XX:AOT",
        // Without the JVM's own SIGTERM handling, status 143 no longer says the archive was written in full.
        "-Xrs", "-XX:+ReduceSignalUsage");

    /**
     * Read the JVM options of a java launch.
     *
     * @param argv the command, argv[0] the launcher.
     * @return its program, class path and where its options end.
     * @throws IllegalArgumentException saying why class-data sharing cannot apply: no class path option, the module
     *                                  path, an argument file, or a class-data sharing option of its own.
     */
    static JavaCommandLine parse(final List<String> argv)
    {
        if (argv.isEmpty())
        {
            throw new IllegalArgumentException("its command is empty");
        }
        String classPath = null;
        boolean jar = false;
        int i = 1;
        while (i < argv.size())
        {
            final String arg = argv.get(i);
            if (!arg.startsWith("-"))
            {
                if (arg.startsWith("@"))
                {
                    throw new IllegalArgumentException("it reads JVM options from an argument file (" + arg + ")");
                }
                break;
            }
            if (JAR.equals(arg))
            {
                if (i + 1 >= argv.size())
                {
                    throw new IllegalArgumentException("-jar names no file");
                }
                classPath = argv.get(i + 1);
                jar = true;
                break;
            }
            if (CLASS_PATH_OPTIONS.contains(arg))
            {
                classPath = valueOf(argv, i);
                i += 2;
                continue;
            }
            if (arg.startsWith(CLASS_PATH_EQUALS))
            {
                classPath = arg.substring(CLASS_PATH_EQUALS.length());
            }
            else if (MODULE_OPTIONS.contains(optionName(arg)))
            {
                throw new IllegalArgumentException("it uses the module path (" + arg + ")");
            }
            else if (isSharingOption(arg))
            {
                throw new IllegalArgumentException("its command sets class-data sharing itself (" + arg + ")");
            }
            else if (isNativeAgent(arg))
            {
                throw new IllegalArgumentException(
                    "its command loads a native agent (" + arg + "), " + NO_DUMP_WITH_AGENT);
            }
            else if (OPTIONS_WITH_VALUE.contains(arg))
            {
                valueOf(argv, i);
                i++;
            }
            i++;
        }
        if (null == classPath)
        {
            throw new IllegalArgumentException("its command has no -cp, -classpath, --class-path or -jar before the " +
                "main class");
        }
        return new JavaCommandLine(argv.get(0), classPath, jar, i);
    }

    /**
     * Is this a JVM option by which a command, or {@code JAVA_TOOL_OPTIONS}, sets class-data sharing itself?
     *
     * @param arg one argument.
     * @return true for {@code -Xshare:...}, {@code -XX:SharedArchiveFile=...} and the like.
     */
    static boolean isSharingOption(final String arg)
    {
        for (final String prefix : SHARING_OPTIONS)
        {
            if (arg.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Does this JVM option load a native (JVMTI) agent, with which the JVM refuses to dump an archive and exits?
     *
     * @param arg one argument.
     * @return true for {@code -agentlib:...} and {@code -agentpath:...}.
     */
    static boolean isNativeAgent(final String arg)
    {
        return arg.startsWith("-agentlib:") || arg.startsWith("-agentpath:");
    }

    private static String valueOf(final List<String> argv, final int i)
    {
        if (i + 1 >= argv.size())
        {
            throw new IllegalArgumentException(argv.get(i) + " has no value");
        }
        return argv.get(i + 1);
    }

    private static String optionName(final String arg)
    {
        final int equals = arg.indexOf('=');
        return equals < 0 ? arg : arg.substring(0, equals);
    }
}
