/**
 * Workloads are data plus a generator: a spec names its parameters (units, defaults,
 * validation) and turns parameter values and a seed into a Scenario — per-process scripts of
 * operations that any backend can serve.
 */
import type { PageType } from '../backends/arch/secinfo.js';

/** Parameter values after parsing: sizes are bytes, booleans are 0/1, files are paths. */
export type ParamValues = Readonly<Record<string, number | string>>;

export type ParamKind =
  /** A size in bytes; accepts units (`64MiB`, `1GiB`, `4096`). */
  | 'size'
  /** An integer. */
  | 'int'
  /** A real number. */
  | 'number'
  /** 0 or 1. */
  | 'bool'
  /** A path to a file. */
  | 'file'
  /** One of `choices`. */
  | 'choice';

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Unit shown in `list` and docs: bytes, pages, count, 1/s, ns, bool, path. */
  readonly unit: string;
  readonly default: number | string;
  readonly description: string;
  /** Inclusive bounds for numeric kinds. */
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** Extra domain check; returns the rule broken (e.g. "a power of two ≥ 8 KiB"), or undefined. */
  readonly check?: (value: number | string) => string | undefined;
}

/** SECINFO page type of an added page (defined with the SGX structures). */
export type { PageType };

/** One operation in a process's script. Offsets and counts are in 4 KiB pages. */
export type Op =
  /** ECREATE: a new enclave of `size` bytes (a power of two). */
  | { readonly op: 'create'; readonly enclave: number; readonly size: number }
  /**
   * Add `pages` pages starting at page `offset`. `perm` is the SECINFO R/W/X bits; `measure`
   * is the 16-bit mask of 256-byte chunks to EEXTEND (0 none, 0xffff the whole page). The
   * backend splits the range into ioctls by the design's batch.
   */
  | {
      readonly op: 'add';
      readonly enclave: number;
      readonly offset: number;
      readonly pages: number;
      readonly type: PageType;
      readonly perm: number;
      readonly measure: number;
      /** User-space work per page before its add ioctl (a loader's own work), ns; model only. */
      readonly userNs?: number;
    }
  /** EINIT. */
  | { readonly op: 'init'; readonly enclave: number }
  /**
   * mmap the enclave range into this process's mm. `inside` threads of this process then run
   * inside the enclave (EENTER) until the process exits: the reclaimer's EWB finds them and
   * IPIs their CPUs. Model only (the hardware backend builds enclaves without code).
   */
  | { readonly op: 'map'; readonly enclave: number; readonly inside?: number }
  /** munmap it. */
  | { readonly op: 'unmap'; readonly enclave: number }
  /** The destroy phase: munmap the enclave if this mm maps it, then close its fd. */
  | { readonly op: 'destroy'; readonly enclave: number }
  /** Access `pages` pages from page `offset` (faults; ELDU when evicted). */
  | { readonly op: 'touch'; readonly enclave: number; readonly offset: number; readonly pages: number }
  /** Pass the enclave (fd) to process `to` over a Unix socket. */
  | { readonly op: 'send-fd'; readonly enclave: number; readonly to: number }
  /** Wait for an enclave fd from another process. */
  | { readonly op: 'recv-fd'; readonly enclave: number }
  /**
   * fork(): start process `child` (its script names this process in `forkedBy`) with a copy of
   * this process's mm and fd table. Which enclave VMAs the copy keeps is the driver's answer
   * (mainline copies them; isgx's VM_DONTCOPY drops them). `inside` threads of the child then
   * run inside every enclave it inherited a mapping of (model only, as for `map`).
   */
  | { readonly op: 'fork'; readonly child: number; readonly inside?: number }
  /** close() the enclave fd. */
  | { readonly op: 'close'; readonly enclave: number }
  /** User-space work between operations. */
  | { readonly op: 'think'; readonly ns: number }
  /** The process exits (its mm goes away); every thread of the mm stops (a pending signal ends an add call early). */
  | { readonly op: 'exit' }
  /**
   * Wait, without a syscall, until every page requested for the enclave is in EPC (or was
   * dropped): how a build without EINIT is timed when adds complete asynchronously (kthread).
   */
  | { readonly op: 'settle'; readonly enclave: number }
  /** Wait until `count` processes have reached the barrier `name` (scenario sequencing, no kernel cost). */
  | { readonly op: 'barrier'; readonly name: string; readonly count: number };

export interface ProcessScript {
  /** Unique within the scenario. */
  readonly pid: number;
  readonly name: string;
  readonly role: 'builder' | 'daemon' | 'client' | 'owner' | 'mapper';
  /** Processes with the same mm are threads of one process. */
  readonly mm: number;
  /** Virtual start time (ns); arrivals of open-loop clients. */
  readonly startNs: number;
  readonly ops: readonly Op[];
  /**
   * Ops to run instead of `ops` when the design cannot hand an enclave to another process
   * (binding=mm): e.g. a handover client builds its own enclave. Absent: run `ops`.
   */
  readonly ifNoHandover?: readonly Op[];
  /**
   * The pid whose `fork` op creates this process: it starts then (not at `startNs`), in its own
   * mm `mm` copied from the parent's. Absent: the process starts on its own at `startNs`.
   */
  readonly forkedBy?: number;
}

/** Co-running application activity in an mm (for contention workloads). */
export interface Background {
  readonly kind: 'faults' | 'mmap-churn';
  readonly mm: number;
  readonly threads: number;
  /** Operations per second per thread (Poisson). */
  readonly ratePerS: number;
}

export interface Scenario {
  readonly processes: readonly ProcessScript[];
  readonly background: readonly Background[];
  /** Requirements a design may not meet; the backend answers `rejected` with the reason. */
  readonly needs: {
    /** Number of mms that map one enclave. */
    readonly sharedMms?: number;
    /** Those mms inherit the mapping through fork (a child's copy of the VMA), not an fd handover. */
    readonly forked?: boolean;
    /** Enclaves passed between processes. */
    readonly handover?: boolean;
    /** Threads that run inside an enclave (EENTER), the most in one process. */
    readonly inside?: number;
  };
}

export interface WorkloadSpec {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /** Pure: the same values and seed give the same scenario. */
  generate(values: ParamValues, seed: number): Scenario;
}
