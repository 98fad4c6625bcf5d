/**
 * Cost profiles: JSON files in backends/model/profiles/, or a user's file.
 *
 * A profile names the machine (CPU count, usable EPC) and every per-operation cost the model
 * charges. Every value carries its `source` and a confidence `grade` (high, medium, low,
 * UNCONFIRMED, measured, fitted; see docs/model.md); every cost also its range `low`..`high`
 * (docs/validation.md: how grades map to ranges). Costs are nanoseconds of model time.
 */
import { readdirSync, existsSync } from 'node:fs';
import { InputFileError, readInput } from '../../common/input-file.js';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileData } from '../types.js';
import { GRADES } from '../../common/cost-range.js';

export class ProfileError extends Error {}

export interface ProfileInfo {
  readonly name: string;
  readonly description: string;
}

export const DEFAULT_PROFILE = 'skylake-client';

export { GRADES } from '../../common/cost-range.js';

/** A machine field: name, unit, integer?, lower bound. */
interface FieldDef<K extends string = string> {
  readonly key: K;
  readonly unit: string;
  readonly min: number;
  /** Upper bound the model runs with (beyond it virtual time loses its nanosecond meaning). */
  readonly max: number;
  readonly integer: boolean;
  readonly meaning: string;
}

export const MACHINE_FIELDS: readonly FieldDef[] = [
  { key: 'cpus', unit: 'count', min: 1, max: 1024, integer: true, meaning: 'logical CPUs the scheduler may use' },
  { key: 'epc_bytes', unit: 'bytes', min: 256 * 4096, max: 1024 ** 4, integer: true, meaning: 'usable EPC (a multiple of 4096)' },
];

/**
 * The largest cost a profile may give one operation: 1 s. No SGX instruction or kernel step
 * the model charges comes near it (the largest shipped value is a 3 ms time slice), and sums
 * over millions of pages stay exact in a double's 2^53 ns.
 */
export const MAX_COST_NS = 1e9;

/** Every cost the model charges, with its meaning; the one list the cost names come from. */
const COSTS = [
  ['syscall', 'ioctl entry and exit, argument copy'],
  ['copy_4k', 'copy of 4 KiB (copy_from_user or memcpy)'],
  ['alloc_page', 'kernel page allocation and kmap'],
  ['kzalloc', 'small kernel allocation (request, page descriptor)'],
  ['backing_page', 'shmem backing page lookup or allocation'],
  ['gup', 'get_user_pages of one source page'],
  ['vma_lookup', 'find_vma and checks'],
  ['pte_insert', 'vmf_insert_pfn of one EPC page'],
  ['lock', 'uncontended lock and unlock pair'],
  ['ecreate', 'ECREATE plus backing setup'],
  ['eadd', 'EADD of one 4 KiB page'],
  ['eextend', 'EEXTEND of one 256-byte chunk'],
  ['einit', 'EINIT (one successful attempt)'],
  ['epa', 'EPA of a version-array page'],
  ['eremove', 'EREMOVE of one page, with bookkeeping'],
  ['eblock', 'EBLOCK of one page'],
  ['etrack', 'ETRACK of one enclave'],
  ['ewb', 'EWB of one page (the instruction: encrypt the page and its PCMD into the backing; the backing page lookups are backing_page)'],
  ['eldu', 'ELDU of one page, with the fault'],
  ['age', 'test-and-clear-young of one page in one mm (page walk)'],
  ['pte_zap', 'zap_vma_ptes of one page in one mm (VMA lookup and PTE clear, without the TLB flush)'],
  ['tlb_shootdown', "the TLB flush a zap triggers: IPIs to the mm's other CPUs, waiting for every ack"],
  ['ipi', 'one IPI round trip to one target CPU'],
  ['wakeup', 'wake-up of an idle kernel thread until it runs'],
  ['context_switch', 'a context switch'],
  ['resched', 'schedule()/cond_resched() when nothing else is runnable'],
  ['page_fault', 'an application anonymous page fault (mmap_lock read held)'],
  ['mmap_op', 'an application mmap or munmap (mmap_lock write held)'],
  ['munmap_enclave', 'unmap of the enclave VMA (zap, VMA teardown) before its close callback'],
  ['timeslice', 'scheduler time slice before a task yields to a waiting one'],
  ['srcu_sync', "synchronize_srcu when an mm leaves an enclave's list"],
  ['backing_free', 'freeing one shmem backing page when the enclave is released (truncate at the last fput)'],
  ['spinlock', 'one hold of a global SGX spinlock (sgx_reclaimer_lock, the EPC free list), without spinning'],
  ['xa_insert', 'xa_insert of one page into the enclave xarray (binding=fd)'],
  ['xa_walk', 'one xarray entry visited by sgx_encl_may_map at mmap (binding=fd)'],
] as const satisfies readonly (readonly [string, string])[];

/** The name of a cost the model charges: `ns.eadd` compiles, `ns.eaad` does not. */
export type CostName = (typeof COSTS)[number][0];

/** One number per cost, in ns of model time. */
export type CostNs = Readonly<Record<CostName, number>>;

/** Every cost the model charges, in ns of model time. */
export const COST_FIELDS: readonly FieldDef<CostName>[] = COSTS.map(([key, meaning]) => ({
  key,
  unit: 'ns',
  min: 0,
  max: MAX_COST_NS,
  integer: false,
  meaning,
}));

/** The resolved numbers the model uses. */
export interface Costs {
  readonly cpus: number;
  readonly epcPages: number;
  readonly ns: CostNs;
}

function profilesDir(): string {
  // Compiled code lives in dist/backends/model/; the JSON files stay in the source tree.
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [join(here, 'profiles'), join(here, '..', '..', '..', 'backends', 'model', 'profiles')]) {
    if (existsSync(join(candidate, `${DEFAULT_PROFILE}.json`))) return candidate;
  }
  return join(here, 'profiles');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkValue(file: string, path: string, def: FieldDef, v: unknown, ranged: boolean): void {
  const where = `profile '${file}': field '${path}'`;
  if (!isRecord(v))
    throw new ProfileError(`${where} is missing; expected { value,${ranged ? ' low, high,' : ''} unit: "${def.unit}", source, grade } (${def.meaning})`);
  const value = v['value'];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < def.min || value > def.max || (def.integer && !Number.isInteger(value))) {
    throw new ProfileError(
      `${where}.value must be ${def.integer ? 'an integer' : 'a number'} from ${def.min} to ${def.max} (${def.unit}), got ${JSON.stringify(value)}`,
    );
  }
  if (v['unit'] !== def.unit) throw new ProfileError(`${where}.unit must be "${def.unit}"`);
  if (typeof v['source'] !== 'string' || v['source'].trim() === '')
    throw new ProfileError(`${where}.source must be a non-empty string naming where the value comes from`);
  if (typeof v['grade'] !== 'string' || !(GRADES as readonly string[]).includes(v['grade'])) {
    throw new ProfileError(`${where}.grade must be one of ${GRADES.join(', ')}`);
  }
  if (!ranged) return;
  const low = v['low'];
  const high = v['high'];
  for (const [name, x] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < def.min || x > def.max) {
      throw new ProfileError(
        `${where}.${name} must be a number from ${def.min} to ${def.max} (${def.unit}): every cost carries its range low..high (docs/validation.md), got ${JSON.stringify(x)}`,
      );
    }
  }
  if (!((low as number) <= value && value <= (high as number))) {
    throw new ProfileError(`${where}: low ≤ value ≤ high must hold, got low ${String(low)}, value ${value}, high ${String(high)}`);
  }
}

/** Validate a profile document; throws ProfileError naming the file and the field. */
export function validateProfile(file: string, data: unknown): ProfileData {
  if (!isRecord(data)) throw new ProfileError(`profile '${file}': not a JSON object`);
  if (typeof data['name'] !== 'string' || data['name'] === '') throw new ProfileError(`profile '${file}': field 'name' must be a non-empty string`);
  if (typeof data['description'] !== 'string') throw new ProfileError(`profile '${file}': field 'description' must be a string`);
  for (const [section, defs] of [
    ['machine', MACHINE_FIELDS],
    ['costs', COST_FIELDS],
  ] as const) {
    const sec = data[section];
    if (!isRecord(sec)) throw new ProfileError(`profile '${file}': field '${section}' is missing; expected an object of values`);
    for (const def of defs) checkValue(file, `${section}.${def.key}`, def, sec[def.key], section === 'costs');
  }
  const epc = (data['machine'] as Record<string, Record<string, number>>)['epc_bytes']!['value']!;
  if (epc % 4096 !== 0) throw new ProfileError(`profile '${file}': field 'machine.epc_bytes.value' must be a multiple of 4096`);
  return data;
}

/** The numbers of a validated profile document. */
export function profileCosts(data: ProfileData): Costs {
  const machine = data['machine'] as Record<string, { value: number }>;
  const costs = data['costs'] as Record<string, { value: number }>;
  // Built in one go: an object grown key by key past ~20 keys turns into a hash table in V8,
  // and the drivers read these costs on every page.
  // (Object.fromEntries gives a string-keyed record; every COST_FIELDS key is in it.)
  const ns = Object.fromEntries(COST_FIELDS.map((def) => [def.key, costs[def.key]!.value])) as Record<CostName, number>;
  return { cpus: machine['cpus']!.value, epcPages: Math.floor(machine['epc_bytes']!.value / 4096), ns };
}

export function listProfiles(): ProfileInfo[] {
  const dir = profilesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const { data } = loadProfile(join(dir, f));
      return { name: basename(f, '.json'), description: String(data['description']) };
    });
}

/** Load a profile by name or path; throws ProfileError naming the file and field. */
export function loadProfile(nameOrPath: string): { name: string; data: ProfileData } {
  const isPath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
  const file = isPath ? nameOrPath : join(profilesDir(), `${nameOrPath}.json`);
  if (!existsSync(file)) {
    const known = `known profiles: ${readdirSafe().join(', ')} (or a path to a .json file)`;
    throw new ProfileError(isPath ? `profile file '${nameOrPath}' does not exist; ${known}` : `unknown profile '${nameOrPath}'; ${known}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readInput(file, 'profile').toString('utf8'));
  } catch (err) {
    if (err instanceof InputFileError) throw new ProfileError(`profile ${err.message}`);
    throw new ProfileError(`profile '${nameOrPath}': not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const data = validateProfile(isPath ? nameOrPath : `${nameOrPath}.json`, parsed);
  return { name: isPath ? String(data['name']) : nameOrPath, data };
}

function readdirSafe(): string[] {
  try {
    return readdirSync(profilesDir())
      .filter((f) => f.endsWith('.json'))
      .map((f) => basename(f, '.json'))
      .sort();
  } catch {
    return [];
  }
}
