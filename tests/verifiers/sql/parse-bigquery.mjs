// Parses SQL files with sql-parser-cst's BigQuery dialect: the independent check that every model the dbt
// project compiles for the prod (BigQuery) target is valid BigQuery syntax.
// Usage: node parse-bigquery.mjs <file.sql|folder>...   Prints one JSON line per file; exits 1 if any fails.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "sql-parser-cst";

function* sqlFiles(path) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) yield* sqlFiles(join(path, entry));
  } else if (path.endsWith(".sql")) {
    yield path;
  }
}

let failures = 0;
for (const file of process.argv.slice(2).flatMap((p) => [...sqlFiles(p)])) {
  try {
    parse(readFileSync(file, "utf8"), { dialect: "bigquery", includeComments: true });
    console.log(JSON.stringify({ file, ok: true }));
  } catch (error) {
    failures++;
    console.log(JSON.stringify({ file, ok: false, error: String(error.message ?? error).split("\n").slice(0, 4).join(" ") }));
  }
}
process.exit(failures === 0 ? 0 : 1);
