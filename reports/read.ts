/**
 * The validating CSV reader: every file that enters report, compare or merge passes here once,
 * so downstream code can trust the Row type (STYLE.md: validate at the boundary, once).
 *
 * Errors are UsageErrors (exit 2) naming the file, the line and the column or value at fault.
 */
import { InputFileError, readInput } from '../common/input-file.js';
import { parse } from 'csv-parse/sync';
import { CLOCKS, COLUMN_NAMES, OUTCOMES, READABLE_VERSIONS, metricDef, type Clock, type ColumnName, type Outcome, type Row } from '../results/schema.js';
import { UsageError } from '../common/errors.js';

/** The metric name of the single row of a case that produced no metrics. */
export const CASE_METRIC = 'case';

export interface ResultFile {
  readonly path: string;
  readonly rows: readonly Row[];
  /** The schema version the file was written with (1: no `draw` column; every row is draw 0). */
  readonly version: number;
  /** lines[i] is the (last) line number of rows[i] in the file, 1-based. */
  readonly lines: readonly number[];
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

const INTEGER = /^-?\d+$/;
/** Plain decimals; exponents are accepted on input although the writer never emits them. */
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Reads and validates one results CSV. Throws UsageError naming file:line on bad input. */
export function readResults(path: string): ResultFile {
  let text: string;
  try {
    text = readInput(path, 'csv').toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw new UsageError(err.message);
    throw err;
  }
  return parseResults(text, path);
}

/** Validates CSV text; `path` only names the source in messages. */
export function parseResults(text: string, path: string): ResultFile {
  if (text.trim() === '') {
    throw new UsageError(`${path}: empty file; expected a header line with the columns ${COLUMN_NAMES.join(',')}`);
  }
  let records: ParsedRecord[];
  try {
    // With `info: true` csv-parse returns { record, info } objects; its typings only describe
    // the plain form, hence the cast through unknown.
    records = parse(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as ParsedRecord[];
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new UsageError(`${path}:${e.lines ?? '?'}: malformed CSV (${e.message ?? String(err)})`);
  }
  const header = records[0];
  if (header === undefined) throw new UsageError(`${path}: empty file; expected a header line`);
  const index = headerIndex(header.record, path);
  // Version 1 has no draw column; every later version has every column.
  const version = index.has('draw') ? 2 : 1;
  const rows: Row[] = [];
  const lines: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    rows.push(toRow(rec.record, index, path, rec.info.lines, version));
    lines.push(rec.info.lines);
  }
  return { path, rows, version, lines };
}

/** "a.csv (schema version 1), b.csv (schema version 2)": what the readers say they read. */
export function versionNote(files: readonly ResultFile[]): string {
  return files.map((f) => `${f.path} (schema version ${f.version}${f.version === 1 ? ', no draws' : ''})`).join(', ');
}

function headerIndex(fields: readonly string[], path: string): Map<ColumnName, number> {
  const index = new Map<ColumnName, number>();
  const known = new Set<string>(COLUMN_NAMES);
  fields.forEach((name, i) => {
    if (!known.has(name)) {
      throw new UsageError(`${path}:1: unknown column '${name}'; expected the columns ${COLUMN_NAMES.join(',')}`);
    }
    if (index.has(name as ColumnName)) throw new UsageError(`${path}:1: column '${name}' appears twice`);
    index.set(name as ColumnName, i);
  });
  // `draw` arrived in version 2; a file without it is read as version 1.
  const missing = COLUMN_NAMES.filter((c) => !index.has(c) && c !== 'draw');
  if (missing.length > 0) {
    const hint = index.has('schema_version') ? '' : ' (is this an eaddbench results file?)';
    throw new UsageError(`${path}:1: missing column(s) ${missing.join(', ')}${hint}; expected ${COLUMN_NAMES.join(',')}`);
  }
  return index;
}

function toRow(fields: readonly string[], index: Map<ColumnName, number>, path: string, line: number, fileVersion: number): Row {
  const at = `${path}:${line}`;
  const get = (c: ColumnName): string => {
    const i = index.get(c);
    return i === undefined ? '' : (fields[i] ?? '');
  };
  const int = (c: ColumnName): number => {
    const s = get(c);
    if (!INTEGER.test(s)) throw new UsageError(`${at}: column ${c} must be an integer, got '${s}'`);
    return Number(s);
  };
  const version = get('schema_version');
  if (!INTEGER.test(version) || !(READABLE_VERSIONS as readonly number[]).includes(Number(version))) {
    throw new UsageError(`${at}: unsupported schema_version '${version}'; this eaddbench reads versions ${READABLE_VERSIONS.join(' and ')}`);
  }
  if (Number(version) !== fileVersion) {
    const why = fileVersion === 1 ? 'the header has no draw column (version 1)' : 'the header has a draw column (version 2)';
    throw new UsageError(`${at}: schema_version '${version}' but ${why}`);
  }
  const draw = (): number => {
    const d = int('draw');
    if (d < 0) throw new UsageError(`${at}: column draw must be 0 (nominal) or a draw index ≥ 1, got '${d}'`);
    return d;
  };
  const clock = get('clock');
  if (!(CLOCKS as readonly string[]).includes(clock)) {
    throw new UsageError(`${at}: column clock has invalid value '${clock}'; valid: ${CLOCKS.join(', ')}`);
  }
  const outcome = get('outcome');
  if (!(OUTCOMES as readonly string[]).includes(outcome)) {
    throw new UsageError(`${at}: column outcome has invalid value '${outcome}'; valid: ${OUTCOMES.join(', ')}`);
  }
  const rawValue = get('value');
  let value: number | null = null;
  if (rawValue !== '') {
    if (!NUMBER.test(rawValue) || !Number.isFinite(Number(rawValue))) {
      throw new UsageError(`${at}: column value must be a number or empty, got '${rawValue}'`);
    }
    value = Number(rawValue);
  }
  const metric = get('metric');
  const unit = get('unit');
  if (metric === CASE_METRIC) {
    if (value !== null) throw new UsageError(`${at}: a '${CASE_METRIC}' row must have an empty value, got '${rawValue}'`);
  } else {
    const def = metricDef(metric);
    if (!def) throw new UsageError(`${at}: unknown metric '${metric}' (see docs/results.md for the metric names)`);
    if (unit !== def.unit) throw new UsageError(`${at}: metric ${metric} must have unit '${def.unit}', got '${unit}'`);
    if (outcome !== 'ok') throw new UsageError(`${at}: metric row ${metric} has outcome '${outcome}'; a case that is not ok has one '${CASE_METRIC}' row`);
  }
  for (const c of ['case_id', 'backend', 'design', 'workload'] as const) {
    if (get(c) === '') throw new UsageError(`${at}: column ${c} is empty`);
  }
  return {
    schema_version: fileVersion,
    run_id: get('run_id'),
    case_id: get('case_id'),
    backend: get('backend'),
    design: get('design'),
    workload: get('workload'),
    profile: get('profile'),
    params: get('params'),
    seed: int('seed'),
    repeat: int('repeat'),
    draw: fileVersion === 1 ? 0 : draw(),
    clock: clock as Clock,
    metric,
    unit,
    value,
    outcome: outcome as Outcome,
    detail: get('detail'),
  };
}
