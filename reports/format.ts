/** Numbers and names for people: units scaled, three significant digits, deterministic. */
import { findWorkload } from '../workloads/index.js';
import { parseParams } from './group.js';

/** Three significant digits without exponent notation. */
export function sig3(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toString();
  if (a >= 10) return trim(x.toFixed(1));
  if (a >= 1) return trim(x.toFixed(2));
  const digits = Math.min(20, 2 - Math.floor(Math.log10(a)));
  return trim(x.toFixed(digits));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Display units from the largest down: [factor, name]. Times in ns, sizes in bytes. */
type UnitTable = ReadonlyArray<readonly [number, string]>;
const TIME: UnitTable = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];
const BINARY: UnitTable = [
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
  [1, 'B'],
];
/** SI prefixes for every other unit (`M pages/s`, `k pages`). */
const SI: UnitTable = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
];

export interface DisplayUnit {
  /** Divide values by this before printing. */
  readonly factor: number;
  /** The unit to print after them: `ms`, `MiB`, `M pages/s`, `pages`, or '' for a bare count. */
  readonly unit: string;
  /** Just the prefix for SI units (`M`), else the same as `unit`; for compact tick labels. */
  readonly prefix: string;
}

/** The display unit for values of a schema unit up to `maxAbs`: the largest that keeps them ≥ 1. */
export function displayUnit(unit: string, maxAbs: number): DisplayUnit {
  const a = Math.abs(maxAbs);
  if (unit === 'ns' || unit === 'bytes') {
    const table = unit === 'ns' ? TIME : BINARY;
    const [factor, name] = table.find(([f]) => a >= f) ?? table[table.length - 1]!;
    return { factor, unit: name, prefix: name };
  }
  // A bare count reads better without the word; the metric's column names the unit.
  const base = unit === 'ratio' || unit === 'count' ? '' : unit;
  const [factor, p] = SI.find(([f]) => a >= f) ?? SI[SI.length - 1]!;
  return { factor, unit: `${p} ${base}`.trim(), prefix: p };
}

/** A value with its unit scaled for reading: `4.61 ms`, `1.2 M pages/s`, `2048 pages`. */
export function formatQuantity(value: number, unit: string): string {
  const a = Math.abs(value);
  if (unit === 'ns' || unit === 'bytes') {
    const d = displayUnit(unit, a);
    return `${d.factor === 1 && unit === 'bytes' ? String(value) : sig3(value / d.factor)} ${d.unit}`;
  }
  // Counts stay whole below 10 000 (2048 pages); larger or fractional values take a prefix.
  const d = a >= 1e4 || (!Number.isInteger(value) && a >= 1e3) ? displayUnit(unit, a) : displayUnit(unit, 1);
  const num = d.factor === 1 && Number.isInteger(value) ? String(value) : sig3(value / d.factor);
  return `${num} ${d.unit}`.trimEnd();
}

/** Bytes in the largest binary unit that keeps the number ≥ 1. */
export function formatBytes(bytes: number): string {
  return formatQuantity(bytes, 'bytes');
}

/** A ratio as `×3.75`; far below 1 as `÷1200`, which reads better than `×0.000833`. */
export function formatRatio(r: number): string {
  if (r > 0 && r < 0.1) return `÷${sig3(1 / r)}`;
  return `×${sig3(r)}`;
}

/** Unit of a workload parameter, from the workload registry (`bytes` for sizes). */
export function paramUnit(workload: string, key: string): string {
  const spec = findWorkload(workload)?.params.find((p) => p.name === key);
  if (spec) return spec.kind === 'size' ? 'bytes' : spec.unit;
  return key === 'size' || key.endsWith('_size') ? 'bytes' : '';
}

/** `size=8388608;init=1` → `init=1, size=8 MiB` (sizes in binary units). */
export function formatParams(workload: string, params: string): string {
  if (params === '') return '(defaults)';
  const parts: string[] = [];
  for (const [k, v] of parseParams(params)) {
    const n = Number(v);
    parts.push(paramUnit(workload, k) === 'bytes' && v !== '' && Number.isFinite(n) ? `${k}=${formatBytes(n).replace(' ', '\u00a0')}` : `${k}=${v}`);
  }
  return parts.join(', ');
}

/** `build_time_p50` → `build time p50`. */
export function metricTitle(metric: string): string {
  return metric.replace(/_/g, ' ');
}
