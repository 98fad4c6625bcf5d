/** Shared by the draws tests: the CLI, and profiles with constructed cost ranges. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../backends/model/profiles.js';

export const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'eaddbench-draws-'));
}

export function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/**
 * The default profile with every cost's range set to value ÷ f … value × f (f = `spread`),
 * except the costs in `ranges`, which get the given [low, high]. Written to a temporary file.
 */
export function profileWithRanges(dir: string, name: string, spread: number, ranges: Readonly<Record<string, readonly [number, number]>> = {}): string {
  const data = structuredClone(loadProfile('skylake-client').data) as { name: string; costs: Record<string, { value: number; low?: number; high?: number }> };
  data.name = name;
  for (const [key, c] of Object.entries(data.costs)) {
    const r = ranges[key];
    c.low = r ? r[0] : c.value / spread;
    c.high = r ? r[1] : c.value * spread;
  }
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}

/** The same profile with no range on any cost. */
export function profileWithoutRanges(dir: string, name: string): string {
  const data = structuredClone(loadProfile('skylake-client').data) as { name: string; costs: Record<string, Record<string, unknown>> };
  data.name = name;
  for (const c of Object.values(data.costs)) {
    delete c['low'];
    delete c['high'];
  }
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
