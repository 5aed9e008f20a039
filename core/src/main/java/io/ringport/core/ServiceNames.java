package io.ringport.core;

/**
 * The rules for service names: reverse-DNS style, as launchd labels.
 * <p>
 * A name is 1 to {@link #MAX_LENGTH} characters from {@code [A-Za-z0-9._-]}, starts with a letter or digit, and
 * holds no {@code ".."}: it can never name a path, so it is safe to use in file names and log lines.
 */
public final class ServiceNames
{
    /** Longest service name accepted, in characters. */
    public static final int MAX_LENGTH = 128;

    private ServiceNames()
    {
    }

    /**
     * Validate a service name.
     *
     * @param name to check.
     * @return the name, when valid.
     * @throws IllegalArgumentException saying what is wrong with the name.
     */
    public static String validate(final String name)
    {
        final String problem = problem(name);
        if (null != problem)
        {
            throw new IllegalArgumentException(problem);
        }
        return name;
    }

    /**
     * Is this a valid service name?
     *
     * @param name to check.
     * @return true when {@link #validate(String)} would accept it.
     */
    public static boolean isValid(final String name)
    {
        return null == problem(name);
    }

    /**
     * Why a name is not valid.
     *
     * @param name to check.
     * @return a sentence saying what is wrong, or null when the name is valid.
     */
    public static String problem(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return "service name is empty";
        }
        if (name.length() > MAX_LENGTH)
        {
            return "service name is " + name.length() + " characters long, the limit is " + MAX_LENGTH;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!letterOrDigit && c != '.' && c != '_' && c != '-')
            {
                return "service name '" + printable(name) + "' has character '" + printable(String.valueOf(c)) +
                    "' at " + i + " (allowed: A-Z a-z 0-9 . _ -)";
            }
            if (0 == i && !letterOrDigit)
            {
                return "service name '" + printable(name) + "' must start with a letter or digit";
            }
        }
        if (name.contains(".."))
        {
            return "service name '" + printable(name) + "' contains '..'";
        }
        return null;
    }

    private static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_LENGTH + 8));
        for (int i = 0; i < s.length() && i < MAX_LENGTH; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f)
            {
                sb.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
