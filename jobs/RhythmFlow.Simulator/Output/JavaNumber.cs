using System.Globalization;
using System.Text;

namespace RhythmFlow.Simulator.Output;

/// <summary>
/// Formats numbers as Java's <c>Float.toString</c> / <c>Double.toString</c> print them, because eventsim
/// writes <c>duration</c> from a float and <c>lat</c>/<c>lon</c> from doubles: the shortest digits that
/// round-trip, always a fraction part ("180.0"), and E notation outside [10^-3, 10^7) ("1.0E7", "1.0E-4").
/// </summary>
public static class JavaNumber
{
    public static string FloatToString(float value) => Format(value.ToString("R", CultureInfo.InvariantCulture));

    public static string DoubleToString(double value) => Format(value.ToString("R", CultureInfo.InvariantCulture));

    private static string Format(string shortest)
    {
        if (shortest is "NaN" or "Infinity" or "-Infinity")
        {
            return shortest;
        }

        // Split .NET's shortest round-trip text into sign, digits and decimal exponent.
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var point = body.IndexOf('.', StringComparison.Ordinal);
        var digits = point >= 0 ? body.Remove(point, 1) : body;
        var intDigits = point >= 0 ? point : body.Length;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        // value = 0.d1d2d3... × 10^decimalExponent
        var decimalExponent = intDigits - leadingZeros + exponent;
        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        var scientific = decimalExponent - 1;
        if (scientific is >= -3 and < 7)
        {
            if (decimalExponent <= 0)
            {
                sb.Append("0.").Append('0', -decimalExponent).Append(digits);
            }
            else if (decimalExponent >= digits.Length)
            {
                sb.Append(digits).Append('0', decimalExponent - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, decimalExponent).Append('.').Append(digits, decimalExponent, digits.Length - decimalExponent);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.').Append(digits.Length > 1 ? digits[1..] : "0").Append('E').Append(scientific);
        }

        return sb.ToString();
    }
}
