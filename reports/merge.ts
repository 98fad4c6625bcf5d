/**
 * Merging shard CSVs: rows keep their file order (shard 1's rows, then shard 2's, ...); an
 * exact repeat of a (case_id, metric) row is dropped, a conflicting one is bad input.
 */
import type { Row } from '../results/schema.js';
import { UsageError } from '../common/errors.js';
import type { ResultFile } from './read.js';

/** Columns that must agree for two rows with the same (case_id, metric); run_id may differ. */
const COMPARED = ['backend', 'design', 'workload', 'profile', 'params', 'seed', 'repeat', 'draw', 'clock', 'unit', 'value', 'outcome', 'detail'] as const;

export interface MergeResult {
  readonly rows: readonly Row[];
  /** Exact duplicates dropped. */
  readonly duplicates: number;
}

/** run_id suffix of an interrupted run's rows (results/writer.ts). */
const PARTIAL = '+partial';

/**
 * Refuses input that mixes runs it cannot vouch for: a file whose run_ids interleave (rows of
 * run A, then B, then A again: two writers at once), and rows of an unfinished run together
 * with rows of any other run.
 */
function checkRuns(files: readonly ResultFile[]): void {
  const all = new Map<string, { file: string; line: number }>();
  for (const f of files) {
    const closed = new Set<string>();
    let cur: string | undefined;
    f.rows.forEach((row, i) => {
      const line = f.lines[i] ?? 0;
      if (row.run_id !== cur) {
        if (closed.has(row.run_id)) {
          throw new UsageError(
            `${f.path}:${line}: rows of run_id '${row.run_id}' resume after rows of run_id '${cur}'; the runs interleave (two runs wrote this file at once), so it cannot be merged`,
          );
        }
        if (cur !== undefined) closed.add(cur);
        cur = row.run_id;
      }
      if (!all.has(row.run_id)) all.set(row.run_id, { file: f.path, line });
    });
  }
  if (all.size < 2) return;
  for (const [id, at] of all) {
    if (!id.endsWith(PARTIAL)) continue;
    const other = [...all.entries()].find(([o]) => o !== id)!;
    throw new UsageError(
      `${at.file}:${at.line}: run_id '${id}' is an unfinished (interrupted) run; it cannot be merged with run_id '${other[0]}' (${other[1].file}:${other[1].line}); rerun it to completion`,
    );
  }
}

export function mergeFiles(files: readonly ResultFile[]): MergeResult {
  checkRuns(files);
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
