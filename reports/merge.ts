/**
 * Merging shard CSVs: rows keep their file order (shard 1's rows, then shard 2's, ...); an
 * exact repeat of a (case_id, metric) row is dropped, a conflicting one is bad input.
 */
import type { Row } from '../results/schema.js';
import { UsageError } from '../bench/errors.js';
import type { ResultFile } from './read.js';

/** Columns that must agree for two rows with the same (case_id, metric); run_id may differ. */
const COMPARED = ['backend', 'design', 'workload', 'profile', 'params', 'seed', 'repeat', 'draw', 'clock', 'unit', 'value', 'outcome', 'detail'] as const;

export interface MergeResult {
  readonly rows: readonly Row[];
  /** Exact duplicates dropped. */
  readonly duplicates: number;
}

export function mergeFiles(files: readonly ResultFile[]): MergeResult {
  const seen = new Map<string, { row: Row; file: string; line: number }>();
  const rows: Row[] = [];
  let duplicates = 0;
  for (const f of files) {
    f.rows.forEach((row, i) => {
      const line = f.lines[i] ?? 0;
      const key = `${row.case_id}\u001f${row.metric}`;
      const prev = seen.get(key);
      if (!prev) {
        seen.set(key, { row, file: f.path, line });
        rows.push(row);
        return;
      }
      const differs = COMPARED.find((c) => prev.row[c] !== row[c]);
      if (differs !== undefined) {
        throw new UsageError(
          `conflicting rows for case_id ${row.case_id} metric ${row.metric}: ${prev.file}:${prev.line} has ${differs}=${show(prev.row[differs])}, ` +
            `${f.path}:${line} has ${differs}=${show(row[differs])}`,
        );
      }
      duplicates++;
    });
  }
  return { rows, duplicates };
}

function show(v: string | number | null): string {
  return v === null ? '(empty)' : `'${String(v)}'`;
}
