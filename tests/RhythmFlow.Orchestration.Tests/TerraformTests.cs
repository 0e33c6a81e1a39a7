using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RhythmFlow.Testing;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>The security and hygiene rules of <c>terraform/</c>, read with HashiCorp's HCL parser (npm @cdktf/hcl2json).</summary>
public sealed partial class TerraformTests : IClassFixture<TerraformTests.Parsed>
{
    private static readonly string[] PrimitiveRoles = ["roles/owner", "roles/editor", "roles/viewer"];
    private static readonly string[] PublicMembers = ["allUsers", "allAuthenticatedUsers"];

    private readonly Parsed _parsed;

    public TerraformTests(Parsed parsed) => _parsed = parsed;

    [Fact]
    public void Backend_IsRemoteGcs()
    {
        var backends = _parsed.Blocks("terraform").Select(t => t["backend"]).OfType<JsonObject>().ToList();

        backends.Count.ShouldBe(1);
        backends[0].Select(b => b.Key).ShouldBe(["gcs"]);
        ((string?)backends[0]["gcs"]![0]!["prefix"]).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Providers_ArePinnedToExactVersions()
    {
        var terraform = _parsed.Blocks("terraform").Single(t => t["required_providers"] is not null);
        ((string?)terraform["required_version"]).ShouldNotBeNullOrEmpty();

        var providers = terraform["required_providers"]!.AsArray().SelectMany(p => p!.AsObject()).ToList();
        providers.ShouldNotBeEmpty();
        foreach (var (name, provider) in providers)
        {
            ((string)provider!["version"]!).ShouldMatch(@"^\d+\.\d+\.\d+$", $"provider {name} is not pinned to one version");
        }
    }

    [Fact]
    public void Firewalls_NeverOpenToTheInternet()
    {
        var firewalls = _parsed.Resources("google_compute_firewall").ToList();

        firewalls.ShouldNotBeEmpty();
        foreach (var (name, firewall) in firewalls)
        {
            var ranges = firewall["source_ranges"]?.AsArray().Select(r => _parsed.Resolve((string)r!)).ToList() ?? [];
            ranges.ShouldNotBeEmpty($"firewall {name} must name its source ranges");
            foreach (var range in ranges)
            {
                IsPrivate(range).ShouldBeTrue($"firewall {name} admits {range}, which is not a private range");
            }
        }
    }

    [Fact]
    public void Iam_NoPrimitiveRolesPublicMembersOrKeys()
    {
        var bindings = _parsed.AllResources()
            .Where(r => r.Type.Contains("iam_member", StringComparison.Ordinal) || r.Type.Contains("iam_binding", StringComparison.Ordinal))
            .ToList();

        bindings.ShouldNotBeEmpty();
        foreach (var (type, name, body) in bindings)
        {
            var role = (string)body["role"]!;
            role.ShouldNotBeOneOf(PrimitiveRoles);
            role.EndsWith(".admin", StringComparison.Ordinal).ShouldBeFalse($"{type}.{name} grants an admin role");
            body.ToJsonString().ShouldNotContain(PublicMembers[0]);
            body.ToJsonString().ShouldNotContain(PublicMembers[1]);
        }

        _parsed.Resources("google_service_account_key").ShouldBeEmpty("jobs use Workload Identity, never exported keys");
        _parsed.Resources("google_project_iam_member").Select(r => (string)r.Body["role"]!)
            .ShouldAllBe(role => role == "roles/bigquery.jobUser");
    }

    [Fact]
    public void LakeBucket_UniformAccessAndPublicAccessPrevented()
    {
        var buckets = _parsed.Resources("google_storage_bucket").ToList();

        buckets.ShouldNotBeEmpty();
        foreach (var (_, bucket) in buckets)
        {
            ((bool)bucket["uniform_bucket_level_access"]!).ShouldBeTrue();
            ((string)bucket["public_access_prevention"]!).ShouldBe("enforced");
            ((bool)bucket["force_destroy"]!).ShouldBeFalse();
        }
    }

    [Fact]
    public void Deliverables_BucketDatasetsRegistryAndServiceAccountsExist()
    {
        _parsed.Resources("google_bigquery_dataset").ShouldNotBeEmpty();
        _parsed.Resources("google_artifact_registry_repository").Single().Body["format"]!.GetValue<string>().ShouldBe("DOCKER");
        _parsed.Resources("google_service_account").Count().ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void VariablesAndOutputs_AreDescribedAndTyped()
    {
        foreach (var (name, variable) in _parsed.Blocks("variable").SelectMany(v => v.AsObject()))
        {
            ((string?)variable![0]!["description"]).ShouldNotBeNullOrWhiteSpace($"variable {name}");
            ((string?)variable[0]!["type"]).ShouldNotBeNullOrWhiteSpace($"variable {name}");
        }

        var outputs = _parsed.Blocks("output").SelectMany(o => o.AsObject()).ToList();
        outputs.ShouldNotBeEmpty();
        outputs.ShouldAllBe(o => !string.IsNullOrWhiteSpace((string?)o.Value![0]!["description"]));
    }

    private static bool IsPrivate(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || !int.TryParse(parts[1], out var prefix))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        return bytes.Length == 4 && (
            (bytes[0] == 10 && prefix >= 8)
            || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16 && prefix >= 12)
            || (bytes[0] == 192 && bytes[1] == 168 && prefix >= 16));
    }

    [GeneratedRegex(@"^\$\{var\.(?<name>\w+)\}$")]
    private static partial Regex VariableReference();

    /// <summary>Every <c>.tf</c> file as JSON, parsed once for the class.</summary>
    public sealed class Parsed : IAsyncLifetime
    {
        private JsonObject _files = [];

        public IEnumerable<JsonObject> Blocks(string kind) =>
            _files.Select(f => f.Value![kind]).OfType<JsonArray>().SelectMany(a => a).OfType<JsonObject>()
                .Concat(_files.Select(f => f.Value![kind]).OfType<JsonObject>());

        public IEnumerable<(string Type, string Name, JsonObject Body)> AllResources() =>
            Blocks("resource").SelectMany(r => r)
                .SelectMany(type => type.Value!.AsObject().SelectMany(
                    named => named.Value!.AsArray().Select(body => (type.Key, named.Key, body!.AsObject()))));

        public IEnumerable<(string Name, JsonObject Body)> Resources(string type) =>
            AllResources().Where(r => r.Type == type).Select(r => (r.Name, r.Body));

        /// <summary>A <c>${var.x}</c> reference becomes the variable's default; other values stay as written.</summary>
        public string Resolve(string value)
        {
            var match = VariableReference().Match(value);
            if (!match.Success)
            {
                return value;
            }

            var variable = Blocks("variable").Select(v => v[match.Groups["name"].Value]).OfType<JsonArray>().Single();
            return (string?)variable[0]!["default"] ?? throw new ShouldAssertException($"var.{match.Groups["name"].Value} has no default to check");
        }

        public async Task InitializeAsync()
        {
            var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync(
                "node", [Repository.TestFile("terraform_inspect.cjs"), Repository.Path("tests", "verifiers"), Repository.Path("terraform")]);
            exitCode.ShouldBe(0, $"parsing terraform/ failed (run npm ci in tests/verifiers): {stderr}");
            _files = JsonNode.Parse(stdout)!.AsObject();
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}
