/**
 * Writing results: tidy CSV through csv-stringify, numbers without exponent notation, text cells
 * neutralised against spreadsheet formulas, whole files written atomically. The run's writer
 * (one writer per file, rows kept as cases finish) is results/writer.ts.
 */
import { writeFileAtomic } from '../common/atomic-write.js';
import { stringify } from 'csv-stringify/sync';
import { COLUMN_NAMES, SCHEMA_VERSION, type Row } from './schema.js';

/** A number as plain decimal text: never `1e-7` or `1e+21`. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`cannot write non-finite number ${n} to CSV`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  if (Number.isInteger(n)) return BigInt(n).toString();
  // Small magnitudes: enough fixed digits for 15 significant ones, trailing zeros trimmed.
  const digits = Math.min(100, 15 - Math.floor(Math.log10(Math.abs(n))));
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/**
 * The OWASP CSV-injection rule: a text cell that a spreadsheet would read as a formula (it
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`. Numbers are
 * never touched: number cells go through formatNumber, and a text cell that is itself a plain
 * number (`-5`, `+1.5`) is left as it is.
 */
export function neutraliseCell(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text)) return text;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return text;
  return `'${text}`;
}

const CAST = { number: (n: number) => formatNumber(n), string: (s: string) => neutraliseCell(s) };

/** CSV text of rows (with or without the header line). */
export function rowsToCsv(rows: readonly Row[], header: boolean): string {
  // Rows read from an older file are written in the current version (a version 1 row is draw 0).
  const records = rows.map((r) => COLUMN_NAMES.map((c) => (c === 'schema_version' ? SCHEMA_VERSION : (r[c] ?? ''))));
  return stringify(records, { header: false, cast: CAST, record_delimiter: 'unix' }).replace(
    /^/,
    header ? stringify([COLUMN_NAMES as string[]], { record_delimiter: 'unix' }) : '',
  );
}

/** The CSV of rows in chunks (header first), so a large file is never one string in memory. */
export function* csvChunks(rows: readonly Row[], chunkRows = 4096): Generator<string> {
  yield rowsToCsv([], true);
  for (let i = 0; i < rows.length; i += chunkRows) yield rowsToCsv(rows.slice(i, i + chunkRows), false);
}

/** Write a whole CSV atomically (common/atomic-write.ts: temporary file, fsync, rename). */
export function writeCsvAtomic(path: string, rows: readonly Row[], flag?: string): void {
  writeFileAtomic(path, csvChunks(rows), flag === undefined ? {} : { flag });
}
