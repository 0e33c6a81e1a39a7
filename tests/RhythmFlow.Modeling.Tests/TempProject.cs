namespace RhythmFlow.Modeling.Tests;

/// <summary>A throwaway dbt project on disk for runner unit tests.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject(string targetType = "postgres")
    {
        Root = Directory.CreateTempSubdirectory("rhythmflow-dbt-unit-").FullName;
        Write("dbt_project.yml", """
            name: unit
            config-version: 2
            profile: unit
            vars:
              answer: 42
            models:
              unit:
                +materialized: view
                marts:
                  +materialized: table
                  +tags: [mart]
            """);
        Write("profiles.yml", $$"""
            unit:
              target: dev
              outputs:
                dev:
                  type: {{targetType}}
                  {{(targetType == "bigquery" ? "project: proj\n      dataset: ds" : "dbname: db\n      schema: analytics")}}
            """);
    }

    public string Root { get; }

    public TempProject Write(string path, string text)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return this;
    }

    public Project.DbtProject Load(IReadOnlyDictionary<string, object?>? vars = null) =>
        Project.DbtProject.Load(new Project.ProjectLoadOptions(Root, Vars: vars) { Environment = name => name == "UNIT_ENV" ? "from-env" : null });

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
