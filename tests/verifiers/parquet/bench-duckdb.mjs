// The DuckDB side of bench/parquet-vs-duckdb.sh: single-threaded DuckDB writes the same rows (loaded from
// SOURCE into memory first) with CODEC, then reads its file back in full. Best of RUNS; prints JSON.
// usage: node bench-duckdb.mjs SOURCE OUT CODEC RUNS
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [source, out, codec, runs = '3'] = process.argv.slice(2);
const q = s => `'${s.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run('SET threads = 1');
await connection.run(`CREATE TABLE events AS SELECT * FROM read_parquet(${q(source)})`);

let write = Infinity;
let read = Infinity;
let rows = 0;
for (let run = 0; run < Number(runs); run++) {
  let start = process.hrtime.bigint();
  await connection.run(`COPY events TO ${q(out)} (FORMAT parquet, COMPRESSION ${codec})`);
  write = Math.min(write, Number(process.hrtime.bigint() - start) / 1e9);

  start = process.hrtime.bigint();
  const result = await connection.stream(`SELECT * FROM read_parquet(${q(out)})`);
  let count = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    count += chunk.rowCount;
  }
  read = Math.min(read, Number(process.hrtime.bigint() - start) / 1e9);
  rows = count;
}

process.stdout.write(JSON.stringify({ writeSeconds: write, readSeconds: read, bytes: statSync(out).size, rows }));
