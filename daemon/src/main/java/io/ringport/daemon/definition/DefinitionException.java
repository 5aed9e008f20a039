package io.ringport.daemon.definition;

import java.nio.file.Path;

/**
 * A service definition file that cannot be used: which file, which key, and why.
 */
public final class DefinitionException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final String key;
    private final String reason;

    /**
     * An error in a definition file, shown as {@code definition FILE: key 'KEY': REASON}.
     *
     * @param file   the definition file, shown as given.
     * @param key    the key whose value is wrong, or null when the error is about the whole file.
     * @param reason what is wrong, quoting the bad value, and what to do.
     */
    public DefinitionException(final Path file, final String key, final String reason)
    {
        super("definition " + file + ": " + (null == key ? "" : "key '" + Printable.of(key) + "': ") + reason);
        this.file = file;
        this.key = key;
        this.reason = reason;
    }

    /**
     * The definition file in error.
     *
     * @return the file, as given.
     */
    public Path getFile()
    {
        return file;
    }

    /**
     * The key whose value is wrong.
     *
     * @return the key, or null when the error is about the whole file.
     */
    public String getKey()
    {
        return key;
    }

    /**
     * What is wrong, without the file and key.
     *
     * @return the reason.
     */
    public String getReason()
    {
        return reason;
    }
}
