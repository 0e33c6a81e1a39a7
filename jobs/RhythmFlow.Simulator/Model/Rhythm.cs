using System.Runtime.CompilerServices;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// eventsim's daily and weekly rhythm, on whole UTC seconds: the damping warp that thins session starts
/// around 03:00 and gathers them around 15:00, and the weekend/holiday rejection with its linear ramps.
/// </summary>
internal sealed class Rhythm(EventsimConfig config)
{
    private const long Day = 86_400;
    private readonly double _amplitude = config.Damping * Day;
    private readonly double _weekend = config.WeekendDamping;
    private readonly long _offset = config.WeekendDampingOffsetMinutes;
    private readonly long _scale = config.WeekendDampingScaleMinutes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Warp(long t)
    {
        var secondOfDay = Mod(t, Day);
        return t + (long)(_amplitude * Math.Sin(2 * Math.PI * (secondOfDay - 10_800) / Day));
    }

    /// <summary>The probability that a session starting at <paramref name="t"/> is rejected: 0 on weekdays, up to weekend-damping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double WeekendDamping(long t)
    {
        if (_weekend == 0)
        {
            return 0;
        }

        var day = Math.DivRem(t, Day, out var rem);
        if (rem < 0)
        {
            day--;
            rem += Day;
        }

        var minute = rem / 60;
        var today = IsWeekendOrHoliday(day);
        var yesterday = IsWeekendOrHoliday(day - 1);
        var tomorrow = IsWeekendOrHoliday(day + 1);
        double factor;
        if (today)
        {
            // Ramp up over the first midnight, down over the last; full in between.
            var up = yesterday ? double.MaxValue : (double)(minute + _offset) / _scale;
            var down = tomorrow ? double.MaxValue : (double)(1440 - minute + _offset) / _scale;
            factor = Math.Min(1, Math.Min(up, down));
        }
        else
        {
            var intoWeekend = tomorrow ? (double)(minute - (1440 - _offset)) / _scale : 0;
            var outOfWeekend = yesterday ? (double)(_offset - minute) / _scale : 0;
            factor = Math.Max(0, Math.Max(intoWeekend, outOfWeekend));
        }

        return _weekend * factor;
    }

    /// <summary>Saturdays, Sundays and US federal holidays (eventsim asks jollyday for the US calendar).</summary>
    internal static bool IsWeekendOrHoliday(long epochDay)
    {
        var date = DateOnly.FromDayNumber((int)(epochDay + 719_162));
        return date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || IsUsHoliday(date);
    }

    private static bool IsUsHoliday(DateOnly d) => (d.Month, d.Day) switch
    {
        (1, 1) or (7, 4) or (11, 11) or (12, 25) => true,
        (1, _) => Nth(d, DayOfWeek.Monday, 3),
        (2, _) => Nth(d, DayOfWeek.Monday, 3),
        (5, _) => d.DayOfWeek == DayOfWeek.Monday && d.Day > 24,
        (9, _) => Nth(d, DayOfWeek.Monday, 1),
        (10, _) => Nth(d, DayOfWeek.Monday, 2),
        (11, _) => Nth(d, DayOfWeek.Thursday, 4),
        _ => false,
    };

    private static bool Nth(DateOnly d, DayOfWeek day, int n) => d.DayOfWeek == day && (d.Day - 1) / 7 == n - 1;

    private static long Mod(long a, long m) => ((a % m) + m) % m;
}
