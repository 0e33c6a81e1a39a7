using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Warehouse;

/// <summary>
/// Settings of section <c>Warehouse</c>. With <see cref="ConnectionString"/> set, RhythmFlow uses that PostgreSQL and
/// starts nothing; otherwise it runs a private PostgreSQL under the work directory.
/// </summary>
public sealed class WarehouseOptions
{
    public const string Section = "Warehouse";

    /// <summary>An Npgsql connection string to an existing PostgreSQL (env <c>RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder of the embedded instance; default <c>&lt;work dir&gt;/warehouse</c>.</summary>
    public string? DataDir { get; set; }

    /// <summary>Folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>.</summary>
    [Required]
    public string ServerBinDir { get; set; } = "/usr/lib/postgresql/15/bin";

    /// <summary>TCP port of the embedded instance on 127.0.0.1; 0 picks a free port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// The unprivileged account that runs the embedded server when RhythmFlow runs as root (PostgreSQL refuses root);
    /// default <c>postgres</c> when that account exists, else <c>nobody</c>.
    /// </summary>
    public string? ServiceUser { get; set; }

    /// <summary>The database RhythmFlow creates and uses inside the embedded instance.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string Database { get; set; } = "rhythmflow";

    /// <summary>Seconds to wait for the embedded server to start or stop.</summary>
    [Range(5, 600)]
    public int StartTimeoutSeconds { get; set; } = 60;

    /// <summary>False trades crash safety for speed (fsync off); only throwaway test instances should set it.</summary>
    public bool Durable { get; set; } = true;
}
