// Writes N listen_events rows in the lake's column layout twice: as Parquet (the lake file RhythmFlow loads) and as
// CSV (what psql \copy loads). DuckDB comes from tests/verifiers, so neither side of the benchmark writes its own input.
// Usage: node bench/warehouse-load-data.mjs <rows> <parquet path> <csv path>
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const verifiers = createRequire(new URL("../tests/verifiers/package.json", import.meta.url));
const { DuckDBInstance } = await import(pathToFileURL(verifiers.resolve("@duckdb/node-api")).href);
const [rows, parquet, csv] = process.argv.slice(2);
const connection = await (await DuckDBInstance.create(":memory:")).connect();
await connection.run(`
  CREATE TABLE e AS SELECT
    'artist ' || (i % 5000) AS artist,
    'song ' || (i % 20000) AS song,
    (120.0 + (i % 300))::DOUBLE AS duration,
    TIMESTAMP '2026-01-01 00:00:00' + to_milliseconds(i % 3600000) AS ts,
    (i // 20)::BIGINT AS session_id,
    CASE WHEN i % 7 = 0 THEN 'Logged Out' ELSE 'Logged In' END AS auth,
    CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'free' END AS level,
    (i % 20)::INTEGER AS item_in_session,
    'City ' || (i % 900) AS city,
    lpad((i % 99999)::VARCHAR, 5, '0') AS zip,
    'S' || (i % 50) AS state,
    'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36' AS user_agent,
    (-120.0 + (i % 1000) / 100.0)::DOUBLE AS lon,
    (35.0 + (i % 1000) / 100.0)::DOUBLE AS lat,
    (i // 200)::BIGINT AS user_id,
    'Last' || (i % 3000) AS last_name,
    'First' || (i % 2000) AS first_name,
    CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS gender,
    TIMESTAMP '2025-06-01 00:00:00' + to_milliseconds(i // 200) AS registration,
    NULL::VARCHAR AS tag,
    'listen_events' AS kafka_topic,
    (i % 3)::INTEGER AS kafka_partition,
    i::BIGINT AS kafka_offset,
    TIMESTAMP '2026-01-01 00:00:00' + to_milliseconds(i % 3600000) AS kafka_timestamp,
    'bench-0001' AS landing_batch_id
  FROM range(${Number(rows)}) t(i)`);
await connection.run(`COPY e TO '${parquet}' (FORMAT parquet, COMPRESSION snappy)`);
await connection.run(`COPY e TO '${csv}' (FORMAT csv, HEADER false)`);
