/**
 * Writing results: tidy CSV through csv-stringify, numbers without exponent notation, rows
 * appended as each case finishes (so an interrupted run keeps them) and, at the end, the file
 * rewritten in plan order through a temporary file and a rename (so identical inputs give
 * identical files whatever the pool size).
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

const CAST = { number: (n: number) => formatNumber(n) };

/** CSV text of rows (with or without the header line). */
export function rowsToCsv(rows: readonly Row[], header: boolean): string {
  // Rows read from an older file are written in the current version (a version 1 row is draw 0).
  const records = rows.map((r) => COLUMN_NAMES.map((c) => (c === 'schema_version' ? SCHEMA_VERSION : (r[c] ?? ''))));
  return stringify(records, { header: false, cast: CAST, record_delimiter: 'unix' }).replace(/^/, header ? stringify([COLUMN_NAMES as string[]], { record_delimiter: 'unix' }) : '');
}

/** Write a whole CSV atomically: temporary file, then rename. */
export function writeCsvAtomic(path: string, rows: readonly Row[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, rowsToCsv(rows, true));
  renameSync(tmp, path);
}

/**
 * Appends rows to a CSV as cases finish. Nothing is created until the first append, so a run
 * that never started leaves no file.
 */
export class CsvAppender {
  private started = false;
  private count = 0;

  constructor(readonly path: string) {}

  append(rows: readonly Row[]): void {
    if (!this.started) {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.path, rowsToCsv([], true));
      this.started = true;
    }
    appendFileSync(this.path, rowsToCsv(rows, false));
    this.count += rows.length;
  }

  get rowCount(): number {
    return this.count;
  }

  /** Rewrite the file with exactly these rows (the run's final order), atomically. */
  finish(rows: readonly Row[]): void {
    writeCsvAtomic(this.path, rows);
  }
}
