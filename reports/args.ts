/** Flag parsing shared by the report, compare and merge commands (and the CI gate). */
import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from '../common/flags.js';
import { UsageError } from '../common/errors.js';
import { readResults, type ResultFile } from './read.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** How many results files a command takes, and how its help names them. */
export interface FileCount {
  readonly min: number;
  readonly max?: number;
  /** e.g. "two files, BASE.csv and NEW.csv". */
  readonly what: string;
}

/**
 * The one way these commands read their command line: strict flags, positionals that are
 * results files, each read through the validating reader (bad input exits 2 naming the file).
 * An unknown flag is reported by the CLI as a usage error too (ERR_PARSE_ARGS).
 */
export function parseFileCommand<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  count: FileCount,
  /** Runs after the flags are parsed and before any input is read (e.g. checks an output path). */
  before?: (values: Readonly<Record<string, unknown>>) => void,
) {
  const { values, positionals } = parseArgs({ args: [...argv], strict: true, allowPositionals: true, options });
  const n = positionals.length;
  if (n < count.min || (count.max !== undefined && n > count.max)) {
    throw new UsageError(`${command}: expected ${count.what}; got ${n} (see eaddbench ${command} --help)`);
  }
  before?.(values);
  const inputs: ResultFile[] = positionals.map((p) => readResults(p));
  return { values, paths: positionals, inputs };
}

/** A path flag that must be given and not empty. */
export function requirePath(command: string, flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: --${flag} ${what} is required`);
  return value;
}

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
