using System.Text;

namespace RhythmFlow.Simulator.Output;

/// <summary>
/// Builds the pre-encoded UTF-8 fragments the event writer copies: strings escaped as eventsim's JSON
/// library escapes them (quote, backslash and control characters only; other text stays raw UTF-8).
/// </summary>
internal static class JsonText
{
    /// <summary>A quoted, escaped JSON string.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary><c>,"name":"value"</c> (or without the leading comma) as UTF-8.</summary>
    public static byte[] Field(string name, string value, bool leadingComma = true) =>
        Encoding.UTF8.GetBytes($"{(leadingComma ? "," : string.Empty)}\"{name}\":{Quote(value)}");
}
