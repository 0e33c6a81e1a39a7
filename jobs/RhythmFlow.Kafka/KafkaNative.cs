using System.Reflection;
using System.Runtime.InteropServices;

namespace RhythmFlow.Kafka;

/// <summary>
/// Loads the system librdkafka for Confluent.Kafka and for RhythmFlow's own mock-cluster calls.
/// Every factory in this project calls <see cref="EnsureLoaded"/> first, so no Kafka handle is ever created
/// before the resolver is in place.
/// </summary>
public static partial class KafkaNative
{
    // Why this exists: Confluent.Kafka normally brings librdkafka through the librdkafka.redist package, which
    // this NuGet mirror does not have. Debian's librdkafka1 installs only the versioned librdkafka.so.1 (the
    // unversioned librdkafka.so comes with the -dev package), and Confluent.Kafka on Linux also P/Invokes "libdl",
    // which glibc ships only as libdl.so.2. The resolver maps both names to the files that exist.
    private static readonly Dictionary<string, string> SystemLibraries = new(StringComparer.Ordinal)
    {
        ["librdkafka"] = "librdkafka.so.1",
        ["libdl"] = "libdl.so.2",
    };

    private static readonly Lazy<string> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The librdkafka version string, once loaded (for logs and diagnostics).</summary>
    public static string LibrdkafkaVersion => Loaded.Value;

    /// <summary>Installs the resolver (once per process) and checks that librdkafka loads.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static string Load()
    {
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
        try
        {
            // Asked through RhythmFlow's own binding: Confluent.Kafka.Library.VersionString would initialize all of
            // Confluent's native bindings (tens of milliseconds at every start), which the native producer never
            // uses. Consumers and the admin client initialize them on first use, through the resolver above.
            return Marshal.PtrToStringUTF8(rd_kafka_version_str()) ?? string.Empty;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new Contracts.RhythmFlowException(
                "Could not load the system Kafka client library librdkafka.so.1.",
                "Install it with 'sudo apt-get install librdkafka1' (scripts/system-packages.sh does this).",
                ex);
        }
    }

    [LibraryImport("librdkafka")]
    private static partial IntPtr rd_kafka_version_str();

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        SystemLibraries.TryGetValue(libraryName, out var file) && NativeLibrary.TryLoad(file, assembly, searchPath, out var handle)
            ? handle
            : IntPtr.Zero;
}
