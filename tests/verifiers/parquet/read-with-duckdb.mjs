// Reads a Parquet file with DuckDB and prints what DuckDB sees, as JSON on stdout:
// the column types, every row (JSON-safe values) and the footer's per-chunk metadata and statistics.
// usage: node read-with-duckdb.mjs FILE
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node read-with-duckdb.mjs FILE');
  process.exit(2);
}

const quoted = `'${file.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
// UTC-adjusted timestamps come back as TIMESTAMPTZ; print them in UTC whatever the machine's zone.
await connection.run("SET TimeZone = 'UTC'");
const describe = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoted})`);
const rows = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoted})`);
const metadata = await connection.runAndReadAll(
  `SELECT row_group_id, path_in_schema, type, stats_min_value, stats_max_value, stats_null_count, compression, encodings, num_values
   FROM parquet_metadata(${quoted}) ORDER BY row_group_id, column_id`);
const schema = await connection.runAndReadAll(
  `SELECT name, type, converted_type, logical_type, repetition_type FROM parquet_schema(${quoted})`);
process.stdout.write(JSON.stringify({
  columns: describe.getRowObjectsJson().map(r => ({ name: r.column_name, type: r.column_type })),
  rows: rows.getRowsJson(),
  chunks: metadata.getRowObjectsJson(),
  schema: schema.getRowObjectsJson(),
}));
