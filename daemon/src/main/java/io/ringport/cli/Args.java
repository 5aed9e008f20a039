package io.ringport.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Options and operands of one command: {@code --flag}, {@code -f}, {@code --key value}, and positional words (a
 * word starting with {@code -} is an option, so an operand that does would need a {@code ./} in front).
 */
final class Args
{
    private final String command;
    private final Map<String, String> options = new HashMap<>();
    private final List<String> operands = new ArrayList<>();

    Args(final String command, final String[] args, final int from, final Set<String> flags, final Set<String> valued)
    {
        this.command = command;
        for (int i = from; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.startsWith("-") && arg.length() > 1)
            {
                if (flags.contains(arg))
                {
                    options.put(arg, "true");
                }
                else if (valued.contains(arg))
                {
                    if (i + 1 >= args.length)
                    {
                        throw new UsageException(command + ": " + arg + " needs a value");
                    }
                    options.put(arg, args[++i]);
                }
                else
                {
                    throw new UsageException(command + ": unknown option " + arg);
                }
            }
            else
            {
                operands.add(arg);
            }
        }
    }

    boolean flag(final String name)
    {
        return options.containsKey(name);
    }

    String value(final String name, final String defaultValue)
    {
        return options.getOrDefault(name, defaultValue);
    }

    int intValue(final String name, final int defaultValue, final int min, final int max)
    {
        final String value = options.get(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            final int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max)
            {
                throw new UsageException(command + ": " + name + " must be in " + min + ".." + max + ", was " + value);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(command + ": " + name + " must be a number, was '" + value + "'");
        }
    }

    List<String> operands(final int count, final String usage)
    {
        return operands(count, count, usage);
    }

    List<String> operands(final int min, final int max, final String usage)
    {
        if (operands.size() < min || operands.size() > max)
        {
            throw new UsageException("usage: ringport " + usage);
        }
        return operands;
    }
}
