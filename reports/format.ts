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

const TIME: ReadonlyArray<[number, string]> = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

const SI: ReadonlyArray<[number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

const BINARY: ReadonlyArray<[number, string]> = [
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

/** A value with its unit scaled for reading: `4.61 ms`, `1.2 M pages/s`, `2048 pages`. */
export function formatQuantity(value: number, unit: string): string {
  const a = Math.abs(value);
  if (unit === 'ns') {
    for (const [f, u] of TIME) if (a >= f) return `${sig3(value / f)} ${u}`;
    return `${sig3(value)} ns`;
  }
  if (unit === 'bytes') return formatBytes(value);
  // A bare count reads better without the word; the metric's column names the unit.
  if (unit === 'ratio' || unit === 'count') unit = '';
  if (a >= 1e4 || (!Number.isInteger(value) && a >= 1e3)) {
    for (const [f, p] of SI) if (a >= f) return `${sig3(value / f)} ${p} ${unit}`.trimEnd();
  }
  return `${Number.isInteger(value) ? String(value) : sig3(value)} ${unit}`.trimEnd();
}

/** Bytes in the largest binary unit that keeps the number ≥ 1. */
export function formatBytes(bytes: number): string {
  for (const [f, u] of BINARY) if (Math.abs(bytes) >= f) return `${sig3(bytes / f)} ${u}`;
  return `${bytes} B`;
}

/** A ratio as `×3.75`. */
export function formatRatio(r: number): string {
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
