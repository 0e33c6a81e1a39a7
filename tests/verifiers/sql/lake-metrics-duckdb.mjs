// The independent side of the marts cross-check: DuckDB computes, straight from the Parquet lake, the figures the
// marts publish, one "metric|key|value" line each, sorted:
//   streams|<UTC day>|<artist>|<song>|n    listens per day and song          (marts: fct_streams x dim_songs)
//   active_users|<UTC hour>|n              distinct logged-in users per hour  (marts: agg_hourly_activity)
//   sessions|<UTC day>|n                   sessions per day they started      (marts: fct_sessions)
// usage: node lake-metrics-duckdb.mjs <lake root>
import { DuckDBInstance } from '@duckdb/node-api';

const [lake] = process.argv.slice(2);
const files = (topic) => `read_parquet('${`${lake}/raw/${topic}/*/*/*.parquet`.replaceAll("'", "''")}', hive_partitioning = false)`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run("SET TimeZone = 'UTC'");
const day = (column) => `strftime(${column}::TIMESTAMPTZ, '%Y-%m-%d')`;
const queries = [
  `SELECT 'streams|' || d || '|' || artist || '|' || song || '|' || n
     FROM (SELECT ${day('ts')} AS d, artist, song, count(*) AS n FROM ${files('listen_events')} GROUP BY 1, 2, 3)`,
  `SELECT 'active_users|' || strftime(h, '%Y-%m-%dT%H') || '|' || n
     FROM (SELECT date_trunc('hour', ts::TIMESTAMPTZ) AS h, count(DISTINCT user_id) AS n
           FROM ${files('page_view_events')} WHERE user_id IS NOT NULL GROUP BY 1)`,
  `SELECT 'sessions|' || d || '|' || n
     FROM (SELECT d, count(*) AS n FROM (SELECT session_id, ${day('min(ts)')} AS d FROM ${files('page_view_events')} GROUP BY session_id) GROUP BY d)`,
];
const lines = [];
for (const sql of queries) {
  const reader = await connection.runAndReadAll(sql);
  for (const row of reader.getRows()) lines.push(String(row[0]));
}
lines.sort();
process.stdout.write(lines.join('\n') + '\n');
