using Npgsql;

namespace RhythmFlow.Testing;

/// <summary>
/// A fresh, empty database in the test run's private PostgreSQL, for one test class:
/// <c>public sealed class MyTests(PostgresDatabase db) : IClassFixture&lt;PostgresDatabase&gt;</c>.
/// Call <see cref="MigrateAsync"/> to apply the warehouse migrations, or use <see cref="MigratedPostgresDatabase"/>.
/// </summary>
public class PostgresDatabase : IAsyncLifetime
{
    private readonly bool _migrated;
    private NpgsqlDataSource? _dataSource;
    private string? _connectionString;

    public PostgresDatabase()
        : this(migrated: false)
    {
    }

    protected PostgresDatabase(bool migrated) => _migrated = migrated;

    /// <summary>Connection string of this class's database (it holds a password: do not print it).</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The database is not created yet.");

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The database is not created yet.");

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync(_migrated);
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    /// <summary>Applies the warehouse migrations (idempotent).</summary>
    public Task MigrateAsync() => Warehouse.Migrator.MigrateAsync(DataSource, Serilog.Log.Logger, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_connectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(_connectionString);
        }
    }
}

/// <summary>A fresh database with every warehouse migration applied (cloned from a template migrated once per run).</summary>
public sealed class MigratedPostgresDatabase : PostgresDatabase
{
    public MigratedPostgresDatabase()
        : base(migrated: true)
    {
    }
}
