using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace RhythmFlow.Contracts;

/// <summary>A setting whose value is not allowed; the message names the setting and what is allowed.</summary>
public sealed class InvalidSettingException(string setting, string message) : Exception(message)
{
    public string Setting { get; } = setting;
}

/// <summary>
/// Validates typed options bound from appsettings, <c>RHYTHMFLOW_</c> environment variables and command-line
/// options, and reports each problem as <c>Section:Property</c> plus the allowed values, not as a bare
/// DataAnnotations message.
/// </summary>
public static class SettingsValidator
{
    /// <summary>Throws <see cref="InvalidSettingException"/> describing every invalid property of <paramref name="options"/>.</summary>
    public static T Validate<T>(T options, string section)
        where T : class
    {
        var problems = new List<(string Setting, string Problem)>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(options);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = property.Name };
                if (attribute.GetValidationResult(value, context) is { } failure && failure != ValidationResult.Success)
                {
                    problems.Add(($"{section}:{property.Name}", Describe(attribute, value, failure)));
                }
            }
        }

        if (options is IValidatableObject validatable)
        {
            foreach (var failure in validatable.Validate(new ValidationContext(options)))
            {
                var member = failure.MemberNames.FirstOrDefault() ?? "(options)";
                problems.Add(($"{section}:{member}", failure.ErrorMessage ?? "is invalid"));
            }
        }

        if (problems.Count > 0)
        {
            var message = string.Join(Environment.NewLine, problems.Select(p => $"Setting '{p.Setting}' {p.Problem}"));
            throw new InvalidSettingException(problems[0].Setting, message);
        }

        return options;
    }

    private static string Describe(ValidationAttribute attribute, object? value, ValidationResult failure)
    {
        var got = value is null ? "nothing" : $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}'";
        return attribute switch
        {
            RangeAttribute range => $"must be between {range.Minimum} and {range.Maximum}; got {got}.",
            AllowedValuesAttribute allowed =>
                $"must be one of {string.Join(", ", allowed.Values.Select(v => $"'{v}'"))}; got {got}.",
            RequiredAttribute => "is required but was not set.",
            _ => $"is invalid ({failure.ErrorMessage}); got {got}.",
        };
    }
}
