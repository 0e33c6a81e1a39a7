using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Dashboard;

/// <summary>Settings of the built-in dashboard (section <c>Dashboard</c>). It always binds 127.0.0.1.</summary>
public sealed class DashboardOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8050;

    /// <summary>How many days the trend charts (conversion, churn) show, ending at the selected day.</summary>
    [Range(2, 366)]
    public int TrendDays { get; set; } = 30;
}
