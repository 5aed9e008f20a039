package io.ringport.daemon.definition;

import java.util.List;

/**
 * What loading a services directory gave: the usable definitions and an error for each file that was not.
 *
 * @param definitions the valid definitions, in file name order.
 * @param errors      one per file that could not be used, in file name order.
 */
public record LoadResult(List<ServiceDefinition> definitions, List<DefinitionException> errors)
{
    /**
     * A result holding copies of the given lists.
     *
     * @param definitions the valid definitions, in file name order.
     * @param errors      one per file that could not be used, in file name order.
     */
    public LoadResult
    {
        definitions = List.copyOf(definitions);
        errors = List.copyOf(errors);
    }
}
