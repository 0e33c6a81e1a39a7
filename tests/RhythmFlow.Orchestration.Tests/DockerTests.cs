using System.Text.RegularExpressions;
using RhythmFlow.Testing;
using YamlDotNet.RepresentationModel;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>
/// The docker/ deliverables, checked without a Docker engine: the compose file through <c>docker-compose config</c>
/// (which validates and interpolates it) and the Dockerfile's stages.
/// </summary>
public sealed partial class DockerTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["POSTGRES_PASSWORD"] = "test-postgres-password",
        ["AIRFLOW_FERNET_KEY"] = "test-fernet-key",
        ["AIRFLOW_JWT_SECRET"] = "test-jwt-secret",
    };

    private static string ComposeFile => Repository.Path("docker", "docker-compose.yml");

    [Fact]
    public async Task Compose_Config_ValidKraftKafkaPostgresAndAirflow3()
    {
        // Given, When
        var services = await ConfigAsync();

        // Then
        services.Keys.ShouldContain("kafka");
        services.Keys.ShouldContain("postgres");
        services.Keys.ShouldNotContain(s => s.Contains("zookeeper", StringComparison.Ordinal));
        Environment(services["kafka"])["KAFKA_PROCESS_ROLES"].ShouldBe("broker,controller");

        var airflow = services.Where(s => Scalar(s.Value, "image").StartsWith("apache/airflow:", StringComparison.Ordinal)).ToList();
        airflow.Select(s => s.Key).ShouldBe(["airflow-apiserver", "airflow-dag-processor", "airflow-init", "airflow-scheduler"], ignoreOrder: true);
        foreach (var (name, service) in airflow)
        {
            Scalar(service, "image").ShouldStartWith("apache/airflow:3.", customMessage: name);
            Environment(service)["RHYTHMFLOW_OPERATOR"].ShouldBe("docker");
            var volumes = ((YamlSequenceNode)service["volumes"]).Select(v => v.ToString()).ToList();
            volumes.ShouldContain(v => v.Contains("/opt/airflow/dags", StringComparison.Ordinal), name);
            volumes.ShouldContain(v => v.Contains("/var/run/docker.sock", StringComparison.Ordinal), name);
        }
    }

    [Fact]
    public async Task Compose_PublishedPorts_BindLoopbackOnly()
    {
        var services = await ConfigAsync();

        var ports = services.Values.Where(s => s.Children.ContainsKey("ports"))
            .SelectMany(s => (YamlSequenceNode)s["ports"]).Select(p => p.ToString()).ToList();
        ports.ShouldNotBeEmpty();
        ports.ShouldAllBe(p => p.StartsWith("127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compose_Secrets_ComeFromTheEnvironmentOnly()
    {
        // Without the variables, config refuses and says where to set them.
        var (exitCode, _, stderr) = await RepositoryCheckout.RunAsync("docker-compose", ["-f", ComposeFile, "config", "-q"]);
        exitCode.ShouldNotBe(0);
        stderr.ShouldContain("docker/.env");

        // And no password is written in the file itself.
        var text = await File.ReadAllTextAsync(ComposeFile);
        LiteralPassword().Matches(text).Select(m => m.Value).ShouldBeEmpty();
    }

    [Fact]
    public async Task Dockerfile_Stages_PublishThenSlimRuntimeWithLibrdkafka()
    {
        // Given
        var lines = (await File.ReadAllLinesAsync(Repository.Path("docker", "Dockerfile"))).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        var text = string.Join('\n', lines);
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        // Then
        stages[0].ShouldContain("dotnet/sdk");
        text.ShouldContain("dotnet publish jobs/RhythmFlow.Cli/RhythmFlow.Cli.csproj -c Release");
        var runtime = stages.Single(s => s.EndsWith(" AS runtime", StringComparison.Ordinal));
        runtime.ShouldNotContain("sdk");
        var runtimePart = text[text.IndexOf(runtime, StringComparison.Ordinal)..];
        runtimePart.ShouldContain("librdkafka1");
        runtimePart.ShouldContain("COPY --from=build");
        runtimePart.ShouldContain("USER rhythmflow");
        runtimePart.ShouldContain("ENTRYPOINT [\"rhythmflow\"]");
        foreach (var source in CopySources().Matches(text).Select(m => m.Groups["source"].Value).Where(s => !s.Contains('*', StringComparison.Ordinal)))
        {
            Path.Exists(Repository.Path(source)).ShouldBeTrue($"COPY source {source} is missing from the repository");
        }
    }

    private static async Task<Dictionary<string, YamlMappingNode>> ConfigAsync()
    {
        var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync("docker-compose", ["-f", ComposeFile, "config"], environment: Secrets);
        exitCode.ShouldBe(0, stderr);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        return services.Children.ToDictionary(s => s.Key.ToString(), s => (YamlMappingNode)s.Value);
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? value.ToString() : string.Empty;

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());

    [GeneratedRegex(@"(?im)^\s*[A-Z_]*PASSWORD\s*:\s*(?!""?\$\{)\S+")]
    private static partial Regex LiteralPassword();

    [GeneratedRegex(@"(?m)^COPY (?!--from)(?<source>\S+) ")]
    private static partial Regex CopySources();
}
