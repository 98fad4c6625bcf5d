/**
 * Designs are points in a small space of orthogonal knobs (DESIGN.md §2), so reports can
 * separate binding from execution. Presets name the points that exist(ed) in real drivers.
 */

export interface DesignKnobs {
  /** Enclave found through a VMA of one mm (`mm`) or a free-standing fd (`fd`). */
  readonly binding: 'mm' | 'fd';
  /** EADD done by a queue worker (`kthread`) or inside the ioctl (`caller`). */
  readonly execution: 'kthread' | 'caller';
  /** Queue workers (`max_active`); only meaningful with `kthread`. */
  readonly workers: number;
  /** User page copied into a backing page (`copy`) or pinned with GUP (`pin`). */
  readonly source: 'copy' | 'pin';
  /** Most pages per add ioctl; 0 means the whole range in one call. */
  readonly batch: number;
  /** Where EPC is allocated relative to mmap_lock: `before-lock` (both real drivers) or `under-lock` (hazard b). */
  readonly epc_alloc: 'before-lock' | 'under-lock';
  /**
   * When the enclave is released once its owner lets go (reference §1.7):
   * - `ref`: every queued add request holds a reference (isgx `__sgx_encl_add_page`,
   *   `kref_get`); `sgx_vma_close` marks the enclave dead and drops one; release runs at the
   *   last put, in whichever task drops it (the unmapper, the fd's close, or the worker).
   *   What both real drivers do; no preset departs from it.
   * - `deferred`: vm_ops->close queues release on the workqueue (the v18 series, whose
   *   VMA-based backing needed `do_munmap` under mmap_sem).
   * - `sync`: HYPOTHETICAL — release flushes the queued adds while the unmapper holds mmap_sem
   *   for write (the hazard discussed in the Dec 2018 thread); the only setting that can deadlock.
   */
  readonly release: 'ref' | 'deferred' | 'sync';
}

export interface KnobDef {
  readonly name: keyof DesignKnobs;
  readonly values: string;
  readonly description: string;
}

export const KNOBS: readonly KnobDef[] = [
  { name: 'binding', values: 'mm | fd', description: 'enclave found through a VMA of one mm, or a free-standing fd' },
  { name: 'execution', values: 'kthread | caller', description: 'EADD by a queue worker, or inside the ioctl' },
  { name: 'workers', values: '1..64', description: 'queue workers (max_active); only with execution=kthread' },
  { name: 'source', values: 'copy | pin', description: 'user page copied into a backing page, or pinned (GUP)' },
  { name: 'batch', values: '0..1048576', description: 'most pages per add ioctl (0 = the whole range); binding=mm forces 1' },
  { name: 'epc_alloc', values: 'before-lock | under-lock', description: 'EPC allocation (and direct reclaim) before taking mmap_lock, or under it (hazard)' },
  {
    name: 'release',
    values: 'ref | deferred | sync',
    description:
      'enclave release: at the last reference, queued adds holding one (ref, isgx and mainline); queued to a worker at munmap (deferred, v18); or flushing queued adds under mmap_sem (sync, hypothetical hazard)',
  },
];

export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly counterpart: string;
  readonly knobs: DesignKnobs;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'per-mm',
    description: "enclave bound to its creator's mm; one global add-page worker; page copied; one page per ioctl",
    counterpart: 'v17 patch series (Dec 2018), out-of-tree /dev/isgx',
    knobs: { binding: 'mm', execution: 'kthread', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'mm-less',
    description: 'enclave is a file descriptor; EADD synchronously in the caller; source pinned; whole range per ioctl',
    counterpart: 'Linux 5.11+, /dev/sgx_enclave',
    knobs: { binding: 'fd', execution: 'caller', workers: 1, source: 'pin', batch: 0, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'attach',
    description: "free-standing enclave attached to a VMA; one queue worker, each request holds mmget on the caller's mm",
    counterpart: 'the v19 proposal in the Dec 2018 LKML thread',
    knobs: { binding: 'fd', execution: 'kthread', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'per-mm-sync',
    description: 'per-mm binding but EADD in the caller: isolates the effect of the queue',
    counterpart: 'none (a control)',
    knobs: { binding: 'mm', execution: 'caller', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
];

export class DesignError extends Error {}

const ENUMS: Partial<Record<keyof DesignKnobs, readonly string[]>> = {
  binding: ['mm', 'fd'],
  execution: ['kthread', 'caller'],
  source: ['copy', 'pin'],
  epc_alloc: ['before-lock', 'under-lock'],
  release: ['ref', 'deferred', 'sync'],
};
const INTS: Partial<Record<keyof DesignKnobs, [number, number]>> = { workers: [1, 64], batch: [0, 1048576] };

/**
 * Resolve `--design` text: a preset name, or `knob=value,...` optionally starting from a
 * preset (`per-mm,workers=4` or `base=per-mm,workers=4`); unspecified knobs come from
 * `per-mm`. Throws DesignError naming the knob and its valid values.
 */
export function parseDesign(text: string): { name: string; knobs: DesignKnobs } {
  const trimmed = text.trim();
  const preset = PRESETS.find((p) => p.name === trimmed);
  if (preset) return { name: preset.name, knobs: preset.knobs };
  if (!trimmed.includes('=')) {
    throw new DesignError(
      `unknown design '${trimmed}'; valid presets: ${PRESETS.map((p) => p.name).join(', ')}; or knobs ${KNOBS.map((k) => k.name).join(', ')} as knob=value,...`,
    );
  }
  let knobs: Record<string, string | number> = { ...PRESETS[0]!.knobs };
  for (const part of trimmed.split(/[,;]/)) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      const base = PRESETS.find((p) => p.name === item);
      if (!base) throw new DesignError(`unknown design preset '${item}' in '${trimmed}'; valid: ${PRESETS.map((p) => p.name).join(', ')}`);
      knobs = { ...base.knobs };
      continue;
    }
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 'base') {
      const base = PRESETS.find((p) => p.name === value);
      if (!base) throw new DesignError(`unknown design preset '${value}' for base=; valid: ${PRESETS.map((p) => p.name).join(', ')}`);
      knobs = { ...base.knobs };
      continue;
    }
    const en = ENUMS[key as keyof DesignKnobs];
    const range = INTS[key as keyof DesignKnobs];
    if (en) {
      if (!en.includes(value)) throw new DesignError(`design knob '${key}' has invalid value '${value}'; valid: ${en.join(', ')}`);
      knobs[key] = value;
    } else if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) {
        throw new DesignError(`design knob '${key}' has invalid value '${value}'; valid: an integer in ${range[0]}..${range[1]}`);
      }
      knobs[key] = n;
    } else {
      throw new DesignError(`unknown design knob '${key}'; valid knobs: ${KNOBS.map((k) => k.name).join(', ')}`);
    }
  }
  const resolved = knobs as unknown as DesignKnobs;
  return { name: designName(resolved), knobs: resolved };
}

/**
 * The canonical name of a knob set: a preset's name, or the nearest preset (fewest differing
 * knobs; the first in PRESETS order on a tie) followed by the knobs that differ, e.g.
 * `per-mm,release=deferred`. parseDesign(designName(k)) gives k back.
 */
export function designName(k: DesignKnobs): string {
  let best = { name: '', diff: [] as string[] };
  for (const p of PRESETS) {
    const diff = KNOBS.filter((d) => p.knobs[d.name] !== k[d.name]).map((d) => `${d.name}=${String(k[d.name])}`);
    if (best.name === '' || diff.length < best.diff.length) best = { name: p.name, diff };
  }
  return [best.name, ...best.diff].join(',');
}

/** Canonical text of a knob set: every knob, in KNOBS order. */
export function canonicalKnobs(k: DesignKnobs): string {
  return KNOBS.map((d) => `${d.name}=${String(k[d.name])}`).join(',');
}
