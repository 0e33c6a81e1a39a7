using System.Runtime.CompilerServices;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, small and identical on every platform, so a seed replays
/// byte for byte. <see cref="System.Random"/> is avoided because its seeded algorithm is slower and its
/// stream is not documented as stable.
/// </summary>
internal sealed class Xoshiro
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>A generator for one independent stream of a seed: shard number, growth, catalog.</summary>
    public Xoshiro(long seed, long stream)
    {
        var x = (ulong)seed ^ (0x9E3779B97F4A7C15UL * (ulong)(stream + 1));
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public ulong NextULong()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long NextLong(long bound)
    {
        var range = (ulong)bound;
        var product = Math.BigMul(NextULong(), range, out var low);
        if (low < range)
        {
            var threshold = (0 - range) % range;
            while (low < threshold)
            {
                product = Math.BigMul(NextULong(), range, out low);
            }
        }

        return (long)product;
    }

    /// <summary>Exponential with the given mean, as a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Standard normal (Box–Muller; one value per call keeps the draw order simple).</summary>
    public double Gaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
