package io.ringport.daemon.definition;

/**
 * Values from definition files as error messages show them: control characters escaped, length capped, so that a
 * bad file can neither break a log line nor flood it.
 */
final class Printable
{
    /** Longest part of a value shown, in characters. */
    static final int MAX_SHOWN = 200;

    private Printable()
    {
    }

    /**
     * A value with its control characters escaped as {@code \xNN} and cut to {@link #MAX_SHOWN} characters.
     *
     * @param value to show.
     * @return the printable form, ending in {@code ...} when cut.
     */
    static String of(final String value)
    {
        final int shown = Math.min(value.length(), MAX_SHOWN);
        final StringBuilder sb = new StringBuilder(shown + 8);
        for (int i = 0; i < shown; i++)
        {
            final char c = value.charAt(i);
            if (Character.isISOControl(c))
            {
                sb.append(String.format("\\x%02x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        if (value.length() > shown)
        {
            sb.append("...");
        }
        return sb.toString();
    }

    /**
     * A value in single quotes, as {@link #of(String)} shows it.
     *
     * @param value to quote.
     * @return the quoted printable form.
     */
    static String quote(final String value)
    {
        return "'" + of(value) + "'";
    }
}
