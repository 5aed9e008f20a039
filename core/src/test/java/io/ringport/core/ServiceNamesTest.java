package io.ringport.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceNamesTest
{
    @ParameterizedTest
    @ValueSource(strings = { "io.ringport.echo", "a", "0", "my_service-2.v1" })
    void acceptsReverseDnsNames(final String name)
    {
        assertTrue(ServiceNames.isValid(name));
        assertNull(ServiceNames.problem(name));
        assertEquals(name, ServiceNames.validate(name));
    }

    @Test
    void acceptsNameOfMaxLength()
    {
        final String name = "a".repeat(ServiceNames.MAX_LENGTH);

        assertEquals(name, ServiceNames.validate(name));
    }

    @Test
    void refusesEmptyName()
    {
        assertProblem("", "service name is empty");
        assertProblem(null, "service name is empty");
    }

    @Test
    void refusesNameOverMaxLength()
    {
        assertProblem("a".repeat(129), "service name is 129 characters long, the limit is 128");
    }

    @Test
    void refusesSlash()
    {
        assertProblem("io/echo", "service name 'io/echo' has character '/' at 2 (allowed: A-Z a-z 0-9 . _ -)");
    }

    @Test
    void refusesDotDot()
    {
        assertProblem("io..echo", "service name 'io..echo' contains '..'");
    }

    @Test
    void refusesLeadingDot()
    {
        assertProblem(".echo", "service name '.echo' must start with a letter or digit");
    }

    @Test
    void refusesSpace()
    {
        assertProblem("io echo", "service name 'io echo' has character ' ' at 2 (allowed: A-Z a-z 0-9 . _ -)");
    }

    @Test
    void refusesControlCharacterAndPrintsItEscaped()
    {
        assertProblem("io\necho", "service name 'io\\x0aecho' has character '\\x0a' at 2 (allowed: A-Z a-z 0-9 . _ -)");
    }

    private static void assertProblem(final String name, final String expected)
    {
        assertFalse(ServiceNames.isValid(name));
        assertEquals(expected, ServiceNames.problem(name));
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ServiceNames.validate(name));
        assertEquals(expected, ex.getMessage());
    }
}
