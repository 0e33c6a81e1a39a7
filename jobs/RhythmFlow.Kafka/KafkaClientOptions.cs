using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>
/// Settings every Kafka client shares. Producer and consumer options bind from the same <c>Kafka</c> section, so
/// <c>Kafka:BootstrapServers</c> (or <c>RHYTHMFLOW_Kafka__BootstrapServers</c>) is set once.
/// </summary>
public abstract class KafkaClientOptions
{
    /// <summary>The configuration section all Kafka options bind from.</summary>
    public const string Section = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> list, e.g. <c>127.0.0.1:9092</c>.</summary>
    [Required]
    [RegularExpression(@"^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*$", ErrorMessage = "must be a comma-separated host:port list such as 127.0.0.1:9092")]
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>A name for this client in broker logs and metrics.</summary>
    [Required]
    public string ClientId { get; set; } = "rhythmflow";

    /// <summary>
    /// Extra librdkafka settings applied last, for what the typed options do not cover (for example
    /// <c>security.protocol</c> and SASL settings in the cloud). Values may be secrets: they are never logged.
    /// </summary>
    public Dictionary<string, string> Librdkafka { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Fills the settings common to producers, consumers and admin clients.</summary>
    internal T Apply<T>(T config)
        where T : ClientConfig
    {
        config.BootstrapServers = BootstrapServers;
        config.ClientId = ClientId;
        foreach (var (key, value) in Librdkafka)
        {
            config.Set(key, value);
        }

        return config;
    }
}
