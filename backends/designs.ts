/**
 * Designs are points in a small space of orthogonal knobs (DESIGN.md §2), so reports can
 * separate binding from execution. Presets name the points that exist(ed) in real drivers.
 *
 * This file decides the design facts every layer uses: the presets (their order, colour and
 * knobs), the reference design, which knob sets a device matches, the batch rule and the
 * multi-mm rejection. Adding a preset is one entry in PRESETS. It imports nothing, so
 * workloads, results, backends and reports may all import it.
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
  /** Its colour in every chart (from the Okabe–Ito palette, reports/svg/palette.ts), so a preset looks the same everywhere. */
  readonly colour: string;
  readonly knobs: DesignKnobs;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'per-mm',
    description: "enclave bound to its creator's mm; one global add-page worker; page copied; one page per ioctl",
    counterpart: 'v17 patch series (Dec 2018), out-of-tree /dev/isgx',
    colour: '#D55E00',
    knobs: { binding: 'mm', execution: 'kthread', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'mm-less',
    description: 'enclave is a file descriptor; EADD synchronously in the caller; source pinned; whole range per ioctl',
    counterpart: 'Linux 5.11+, /dev/sgx_enclave',
    colour: '#0072B2',
    knobs: { binding: 'fd', execution: 'caller', workers: 1, source: 'pin', batch: 0, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'attach',
    description: "free-standing enclave attached to a VMA; one queue worker, each request holds mmget on the caller's mm",
    counterpart: 'the v19 proposal in the Dec 2018 LKML thread',
    colour: '#009E73',
    knobs: { binding: 'fd', execution: 'kthread', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
  {
    name: 'per-mm-sync',
    description: 'per-mm binding but EADD in the caller: isolates the effect of the queue',
    counterpart: 'none (a control)',
    colour: '#CC79A7',
    knobs: { binding: 'mm', execution: 'caller', workers: 1, source: 'copy', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
  },
];

/** Preset names in PRESETS order (the order of suites and of `--design`'s default). */
export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name);

/** The design ratios are taken against (reports, the run summary): the merged driver's. */
export const REFERENCE_DESIGN = 'mm-less';

/** The design the question is about: the run summary's ratio column is it ÷ the reference. */
export const SUBJECT_DESIGN = 'per-mm';

/** Preset order in reports: the reference first, then the others in PRESETS order. */
export const REPORT_ORDER: readonly string[] = [REFERENCE_DESIGN, ...PRESET_NAMES.filter((n) => n !== REFERENCE_DESIGN)];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** The chart colour of a preset, or undefined for a custom design. */
export function presetColour(name: string): string | undefined {
  return findPreset(name)?.colour;
}

/** The largest batch (pages per add ioctl) a knob or workload can ask for. */
export const MAX_BATCH = 1048576;

/**
 * The batch rule: most pages per add ioctl for these knobs and the workload's `batch`
 * parameter (undefined or not a positive number: no cap). binding=mm adds one page per ioctl
 * (the per-mm ABI); otherwise the smaller of the knob and the parameter. 0 = no cap (the whole
 * range in one call).
 */
export function addBatch(knobs: DesignKnobs, paramBatch: unknown): number {
  if (knobs.binding === 'mm') return 1;
  const p = typeof paramBatch === 'number' && paramBatch > 0 ? paramBatch : 0;
  const k = knobs.batch;
  if (p === 0) return k;
  if (k === 0) return p;
  return Math.min(p, k);
}

/**
 * Why these knobs cannot run a scenario whose enclaves are mapped by `mms` address spaces, or
 * undefined. `forked`: the other mms are forked children of the mapper. binding=mm follows isgx
 * (intel/linux-sgx-driver): `sgx_mmap` (sgx_main.c) sets VM_DONTCOPY, so fork's `dup_mmap` copies
 * no enclave VMA into the child, and `sgx_vma_open` (sgx_vma.c) would refuse one in another mm
 * anyway (`encl->mm != current->mm`: vm_private_data cleared, no reference).
 */
export function sharingRejection(knobs: DesignKnobs, mms: number, forked = false): string | undefined {
  if (mms > 1 && knobs.binding === 'mm' && forked) {
    return `binding=mm: a forked child does not inherit the enclave (isgx sgx_mmap sets VM_DONTCOPY, so dup_mmap leaves the VMA out of the child's mm, and sgx_vma_open refuses an enclave VMA in an mm other than encl->mm); only the creator's mm can map it (mms=${mms}; needs binding=fd)`;
  }
  if (mms > 1 && knobs.binding === 'mm') {
    return `binding=mm: an enclave belongs to the mm that created it and cannot be mapped by other mms (mms=${mms}; needs binding=fd)`;
  }
  return undefined;
}

/**
 * Why these knobs cannot add a page measured in part (16-bit EEXTEND masks other than 0 and
 * 0xffff), or undefined. binding=fd uses the mainline ABI: SGX_IOC_ENCLAVE_ADD_PAGES has one
 * flag, SGX_PAGE_MEASURE, for all 16 chunks of each page or none (torvalds/linux
 * arch/x86/kernel/cpu/sgx/ioctl.c `sgx_encl_add_page`).
 */
export function measureRejection(knobs: DesignKnobs, masks: Iterable<number>): string | undefined {
  if (knobs.binding !== 'fd') return undefined;
  for (const m of masks) {
    if (m !== 0 && m !== 0xffff) {
      return `binding=fd: SGX_IOC_ENCLAVE_ADD_PAGES measures all 16 chunks of a page or none (SGX_PAGE_MEASURE); this stream measures a page with mask 0x${m.toString(16).padStart(4, '0')} (needs binding=mm)`;
    }
  }
  return undefined;
}

/** A set of knob sets: each knob has one value, or `'*'` for any. Every knob must be named. */
export type KnobPattern = { readonly [K in keyof DesignKnobs]: DesignKnobs[K] | '*' };

/**
 * Whether `knobs` is in the set. A knob the pattern does not name (a knob added to DesignKnobs
 * after the pattern was written, or a stray key) does not match: a device is never assumed to
 * implement a knob nobody checked.
 */
export function matchesPattern(pattern: KnobPattern, knobs: DesignKnobs): boolean {
  const rule = pattern as unknown as Readonly<Record<string, unknown>>;
  const given = knobs as unknown as Readonly<Record<string, unknown>>;
  const names = new Set([...KNOBS.map((k) => k.name as string), ...Object.keys(given)]);
  for (const n of names) {
    if (!(n in rule) || !(n in given)) return false;
    if (rule[n] !== '*' && rule[n] !== given[n]) return false;
  }
  return true;
}

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
