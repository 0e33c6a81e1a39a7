using System.Globalization;
using System.Text;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// The people and places users are drawn from: the compact tables under <c>Data/</c> (derived from the
/// reference data, see Data/NOTICE.md), each weighted as eventsim weights its sources, with every value's
/// JSON fragment encoded once.
/// </summary>
internal sealed class Populations
{
    private static readonly Lazy<Populations> Shared = new(Load);

    private Populations(List<FirstName> firstNames, List<byte[]> surnames, List<long> surnameWeights, List<byte[]> agents, List<long> agentWeights, List<Place> places)
    {
        FirstNames = [.. firstNames];
        Surnames = [.. surnames];
        Agents = [.. agents];
        Places = [.. places];
        FirstNamePick = new WeightedTable<int>(firstNames.Select((n, i) => (i, n.Weight)));
        SurnamePick = new WeightedTable<int>(surnameWeights.Select((w, i) => (i, w)));
        AgentPick = new WeightedTable<int>(agentWeights.Select((w, i) => (i, w)));
        PlacePick = new WeightedTable<int>(places.Select((p, i) => (i, p.Weight)));
    }

    public static Populations Instance => Shared.Value;

    /// <summary><c>,"firstName":"..","gender":".."</c> and the gender.</summary>
    public FirstName[] FirstNames { get; }

    /// <summary><c>,"lastName":".."</c>.</summary>
    public byte[][] Surnames { get; }

    /// <summary><c>,"userAgent":".."</c>.</summary>
    public byte[][] Agents { get; }

    public Place[] Places { get; }

    public WeightedTable<int> FirstNamePick { get; }

    public WeightedTable<int> SurnamePick { get; }

    public WeightedTable<int> AgentPick { get; }

    public WeightedTable<int> PlacePick { get; }

    private static Populations Load()
    {
        var firstNames = Rows("first-names.tsv", 3)
            .Select(r => new FirstName(
                Encoding.UTF8.GetBytes($",\"firstName\":{JsonText.Quote(r[0])},\"gender\":{JsonText.Quote(r[1])}"), r[1][0], long.Parse(r[2], CultureInfo.InvariantCulture)))
            .ToList();
        var surnames = Rows("surnames.tsv", 2).ToList();
        var agents = Rows("user-agents.tsv", 2).ToList();
        var places = Rows("places.tsv", 6)
            .Select(r => new Place(
                Encoding.UTF8.GetBytes($"\"city\":{JsonText.Quote(r[1])},\"zip\":{JsonText.Quote(r[0])},\"state\":{JsonText.Quote(r[2])}"),
                Encoding.UTF8.GetBytes(
                    $",\"lon\":{JavaNumber.DoubleToString(double.Parse(r[4], CultureInfo.InvariantCulture))},\"lat\":{JavaNumber.DoubleToString(double.Parse(r[3], CultureInfo.InvariantCulture))}"),
                r[2],
                long.Parse(r[5], CultureInfo.InvariantCulture)))
            .ToList();
        return new Populations(
            firstNames,
            [.. surnames.Select(r => JsonText.Field("lastName", r[0]))],
            [.. surnames.Select(r => long.Parse(r[1], CultureInfo.InvariantCulture))],
            [.. agents.Select(r => JsonText.Field("userAgent", r[1]))],
            [.. agents.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture))],
            places);
    }

    private static IEnumerable<string[]> Rows(string table, int columns)
    {
        using var stream = typeof(Populations).Assembly.GetManifestResourceStream($"RhythmFlow.Simulator.Data.{table}")
            ?? throw new InvalidOperationException($"The population table '{table}' is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var rows = new List<string[]>();
        while (reader.ReadLine() is { } line)
        {
            var row = line.Split('\t');
            if (row.Length != columns)
            {
                throw new InvalidOperationException($"Population table '{table}' line {rows.Count + 1} has {row.Length} columns; expected {columns}.");
            }

            rows.Add(row);
        }

        return rows;
    }

    internal sealed record FirstName(byte[] Json, char Gender, long Weight);

    /// <summary>A place: <c>"city":..,"zip":..,"state":..</c> before the user agent, <c>,"lon":..,"lat":..</c> after it.</summary>
    internal sealed record Place(byte[] Before, byte[] After, string State, long Weight);
}
