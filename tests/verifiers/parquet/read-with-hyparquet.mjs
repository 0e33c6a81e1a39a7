// Reads a Parquet file with hyparquet (an independent pure-JS reader) and prints JSON on stdout:
// the schema, per-chunk metadata with statistics, and every row. BigInts become strings.
// usage: node read-with-hyparquet.mjs FILE
import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';

const file = process.argv[2];
if (!file) {
  console.error('usage: node read-with-hyparquet.mjs FILE');
  process.exit(2);
}

const bytes = readFileSync(file);
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const metadata = parquetMetadata(buffer);
const rows = await parquetReadObjects({ file: buffer });
const replacer = (_key, value) => {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
};
process.stdout.write(JSON.stringify({
  schema: metadata.schema,
  rowGroups: metadata.row_groups.map(rg => ({
    numRows: rg.num_rows,
    columns: rg.columns.map(c => ({
      path: c.meta_data.path_in_schema.join('.'),
      codec: c.meta_data.codec,
      encodings: c.meta_data.encodings,
      statistics: c.meta_data.statistics,
    })),
  })),
  rows,
}, replacer));
