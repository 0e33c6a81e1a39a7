using Confluent.Kafka;
using Serilog;
using Serilog.Events;

namespace RhythmFlow.Kafka;

/// <summary>Routes librdkafka's own log lines and client errors into Serilog instead of raw stderr.</summary>
internal static class KafkaLogging
{
    public static void Log(ILogger logger, string client, LogMessage message) =>
        logger.Write(
            message.Level switch
            {
                SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogEventLevel.Error,
                SyslogLevel.Warning => LogEventLevel.Warning,
                SyslogLevel.Notice or SyslogLevel.Info => LogEventLevel.Debug,
                _ => LogEventLevel.Verbose,
            },
            "librdkafka {Client} {Facility}: {KafkaMessage}",
            client,
            message.Facility,
            message.Message);

    /// <summary>librdkafka retries transient errors itself; they are worth a warning, not a failure.</summary>
    public static void Error(ILogger logger, string client, Error error) =>
        logger.Write(
            error.IsFatal ? LogEventLevel.Error : LogEventLevel.Warning,
            "Kafka {Client} error {KafkaCode}: {Reason}",
            client,
            error.Code,
            error.Reason);
}
