/** Small flag-value parsers shared by the report, compare and merge commands. */
import { UsageError } from '../bench/errors.js';

/** A percentage flag (`5`, `5%`, `0.5`) as a fraction; names the flag when invalid. */
export function parsePercent(flag: string, text: string): number {
  const s = text.trim().replace(/%$/, '');
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v < 0 || v > 1000) {
    throw new UsageError(`--${flag}: expected a percentage between 0 and 1000 (e.g. 5 or 5%), got '${text}'`);
  }
  return v / 100;
}

/** A positive integer flag. */
export function parsePositiveInt(flag: string, text: string, max = 1e9): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`--${flag}: expected an integer from 1 to ${max}, got '${text}'`);
  }
  return Number(text);
}
