// Writes a Parquet file with DuckDB from a SELECT, then prints DuckDB's own read of it (same shape as read-with-duckdb).
// usage: node write-with-duckdb.mjs OUT "SELECT ..." [snappy|gzip|uncompressed] [v1|v2] [row_group_size]
import { DuckDBInstance } from '@duckdb/node-api';

const [out, select, compression = 'snappy', version = 'v1', rowGroupSize = '122880'] = process.argv.slice(2);
if (!out || !select) {
  console.error('usage: node write-with-duckdb.mjs OUT "SELECT ..." [snappy|gzip|uncompressed] [v1|v2] [row_group_size]');
  process.exit(2);
}

const quoted = `'${out.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(
  `COPY (${select}) TO ${quoted} (FORMAT parquet, COMPRESSION ${compression}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE ${Number(rowGroupSize)})`);
const rows = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoted})`);
process.stdout.write(JSON.stringify({ rows: rows.getRowsJson() }));
