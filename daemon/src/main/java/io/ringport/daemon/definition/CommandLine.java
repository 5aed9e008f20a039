package io.ringport.daemon.definition;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of the {@code command} key: splitting one string into argv tokens, and expanding {@code ${VAR}} in them.
 */
final class CommandLine
{
    private static final Pattern WHOLE_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private CommandLine()
    {
    }

    /**
     * Split a command line on unquoted whitespace.
     * <p>
     * {@code '...'} is taken literally; {@code "..."} groups, with {@code \"} and {@code \\} escaped inside; outside
     * quotes a backslash escapes the next character.
     *
     * @param text the command line.
     * @return the tokens, empty when the text is blank.
     * @throws IllegalArgumentException on an unterminated quote or a trailing backslash.
     */
    static List<String> split(final String text)
    {
        final List<String> tokens = new ArrayList<>();
        final StringBuilder token = new StringBuilder();
        boolean inToken = false;
        int i = 0;
        while (i < text.length())
        {
            final char c = text.charAt(i);
            if (Character.isWhitespace(c))
            {
                if (inToken)
                {
                    tokens.add(token.toString());
                    token.setLength(0);
                    inToken = false;
                }
                i++;
            }
            else
            {
                inToken = true;
                i = appendWord(text, i, token);
            }
        }
        if (inToken)
        {
            tokens.add(token.toString());
        }
        return tokens;
    }

    /**
     * Expand variable references: a token that is exactly {@code ${VAR}} becomes all the values of VAR as separate
     * tokens (none when it has none); inside a longer token {@code ${VAR}} becomes its values joined by a space;
     * {@code $$} is a literal {@code $}. Quoting in the command line does not stop expansion.
     *
     * @param tokens as {@link #split(String)} gave them.
     * @param lookup the values of a variable, throwing {@link IllegalArgumentException} for an unknown one.
     * @return the expanded argv.
     * @throws IllegalArgumentException on an unknown variable or an unterminated reference.
     */
    static List<String> expand(final List<String> tokens, final Function<String, List<String>> lookup)
    {
        final List<String> argv = new ArrayList<>(tokens.size());
        for (final String token : tokens)
        {
            final Matcher whole = WHOLE_VARIABLE.matcher(token);
            if (whole.matches())
            {
                argv.addAll(lookup.apply(whole.group(1)));
            }
            else
            {
                argv.add(substitute(token, lookup));
            }
        }
        return argv;
    }

    private static int appendWord(final String text, final int start, final StringBuilder token)
    {
        final char c = text.charAt(start);
        if ('\'' == c)
        {
            final int close = text.indexOf('\'', start + 1);
            if (close < 0)
            {
                throw unterminated("single", start, text);
            }
            token.append(text, start + 1, close);
            return close + 1;
        }
        if ('"' == c)
        {
            return appendDoubleQuoted(text, start, token);
        }
        if ('\\' == c)
        {
            if (start + 1 == text.length())
            {
                throw new IllegalArgumentException("ends with a lone backslash: " + Printable.quote(text));
            }
            token.append(text.charAt(start + 1));
            return start + 2;
        }
        token.append(c);
        return start + 1;
    }

    private static int appendDoubleQuoted(final String text, final int open, final StringBuilder token)
    {
        int i = open + 1;
        while (i < text.length())
        {
            final char c = text.charAt(i);
            if ('"' == c)
            {
                return i + 1;
            }
            final char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if ('\\' == c && ('"' == next || '\\' == next))
            {
                token.append(next);
                i += 2;
            }
            else
            {
                token.append(c);
                i++;
            }
        }
        throw unterminated("double", open, text);
    }

    private static IllegalArgumentException unterminated(final String kind, final int open, final String text)
    {
        return new IllegalArgumentException(
            "unterminated " + kind + " quote opened at character " + (open + 1) + ": " + Printable.quote(text));
    }

    private static String substitute(final String token, final Function<String, List<String>> lookup)
    {
        final StringBuilder sb = new StringBuilder(token.length());
        int i = 0;
        while (i < token.length())
        {
            final char c = token.charAt(i);
            final char next = i + 1 < token.length() ? token.charAt(i + 1) : 0;
            if ('$' == c && '$' == next)
            {
                sb.append('$');
                i += 2;
            }
            else if ('$' == c && '{' == next)
            {
                final int close = token.indexOf('}', i + 2);
                if (close < 0)
                {
                    throw new IllegalArgumentException("unterminated ${ in " + Printable.quote(token));
                }
                sb.append(String.join(" ", lookup.apply(token.substring(i + 2, close))));
                i = close + 1;
            }
            else
            {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }
}
