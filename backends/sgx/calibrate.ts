/**
 * Calibration on real SGX: per-page cost with and without measurement, ECREATE, EINIT,
 * EREMOVE (teardown) and per-ioctl overhead, timed with tinybench (warm-up, samples, median),
 * written as a cost profile of the model's shape (backends/model/profiles.ts) whose measured
 * values say where they came from.
 */
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import type { KeyObject } from 'node:crypto';
import type { NativeBinding } from './binding.js';
import type { Driver } from './detect.js';
import { Enclave, SourcePool } from './enclave.js';
import { plannedMeasurement } from './script.js';
import { signSigstruct } from './structs.js';
import { defaultRange } from '../../common/cost-range.js';

/** Measured costs, ns (wall clock), medians over samples. */
export interface Measured {
  /** Per-ioctl overhead: an ioctl that fails fast (ENOTTY) on the null device. */
  readonly syscall: number;
  readonly ecreate: number;
  /** Per page, unmeasured (EADD path: GUP or copy, locks, EADD). */
  readonly pageUnmeasured: number;
  /** Per page with 16 EEXTENDs. */
  readonly pageMeasured: number;
  readonly einit?: number;
  /** Per page, from close (mainline) / munmap (isgx) of the unmeasured enclave. */
  readonly eremove: number;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly kernel: string;
  readonly device: string;
  readonly epcBytes?: number;
  readonly samples: number;
  readonly pages: number;
  /** Set when the device is the SGX driver emulator: the profile whose costs it spun. */
  readonly emulatedProfile?: string;
}

type ValueDoc = { value: number; low?: number; high?: number; unit: string; source: string; grade: string };

/**
 * The cost profile: the base profile with the measured fields replaced, each marked
 * source "calibrate on <cpu model> ..." and grade "measured" (range ×/÷ 1.1, cost-range.ts).
 * Unmeasured fields keep the base profile's values, ranges, sources and grades.
 */
export function buildProfile(base: Record<string, unknown>, m: Measured, info: MachineInfo, name: string): Record<string, unknown> {
  const doc = JSON.parse(JSON.stringify(base)) as { name: string; description: string; machine: Record<string, ValueDoc>; costs: Record<string, ValueDoc> };
  // Against the emulator, every measured value says so: such a profile never passes as hardware's.
  const where =
    info.emulatedProfile === undefined
      ? `${info.cpuModel} (${info.device}, kernel ${info.kernel}`
      : `the SGX driver emulator ${info.device} (emulated, not SGX hardware: ENCLS costs spun from profile ${info.emulatedProfile}; ${info.cpuModel}, kernel ${info.kernel}`;
  const src = (what: string) => `calibrate on ${where}; ${what}; tinybench median of ${info.samples} samples, wall clock)`;
  const put = (key: string, value: number, what: string): void => {
    const v = Math.round(value * 10) / 10;
    doc.costs[key] = { value: v, ...defaultRange('measured', v), unit: 'ns', source: src(what), grade: 'measured' };
  };
  put('syscall', m.syscall, 'ioctl → ENOTTY on the null device through the binding');
  put('ecreate', m.ecreate, 'SGX_IOC_ENCLAVE_CREATE of an 8 KiB enclave');
  // Unmeasured per-page cost = the whole EADD path per page; the model's separate GUP/copy/lock
  // costs keep their priors, so EADD here is the remainder after them.
  put('eadd', Math.max(0, m.pageUnmeasured), `ADD of ${info.pages} unmeasured pages / pages (includes source handling and locks)`);
  put('eextend', Math.max(0, (m.pageMeasured - m.pageUnmeasured) / 16), `(measured − unmeasured per-page time) / 16 over ${info.pages} pages`);
  if (m.einit !== undefined) put('einit', m.einit, 'SGX_IOC_ENCLAVE_INIT with a generated-key SIGSTRUCT');
  put('eremove', m.eremove, `teardown of ${info.pages} pages / pages`);
  doc.machine['cpus'] = { value: cpus().length, unit: 'count', source: src('logical CPUs'), grade: 'measured' };
  if (info.epcBytes !== undefined)
    doc.machine['epc_bytes'] = {
      value: info.epcBytes - (info.epcBytes % 4096),
      unit: 'bytes',
      source: src(info.emulatedProfile === undefined ? 'sysfs sgx_total_bytes' : 'the emulated EPC'),
      grade: 'measured',
    };
  doc.name = name;
  doc.description = `Calibrated on ${where}); unmeasured costs from ${String(base['name'])}`;
  return doc;
}

const median = async (name: string, samples: number, fn: () => number | Promise<number>): Promise<number> => {
  // Each task reports its own duration (the ioctl alone), so setup and teardown stay out of it.
  const bench = new Bench({ iterations: samples, time: 0, warmupIterations: 2, warmupTime: 0, throws: true });
  bench.add(name, async () => ({ overriddenDuration: (await fn()) / 1e6 }));
  await bench.run();
  const r = bench.tasks[0]!.result as { latency?: { p50?: number } } | undefined;
  const p50 = r?.latency?.p50;
  if (p50 === undefined) throw new Error(`calibration task ${name} produced no samples`);
  return p50 * 1e6;
};

/** Runs the calibration on the device. Throws the binding's errors (they name the ioctl). */
export async function calibrate(sys: NativeBinding, driver: Driver, device: string, pages: number, samples: number, key?: KeyObject): Promise<Measured> {
  const src = new SourcePool(sys);
  const size = 2 ** Math.ceil(Math.log2(Math.max(2, pages) * 4096));
  const nul = sys.open('/dev/null');
  let syscall: number;
  try {
    const req = sys.constants['SGX_IOC_ENCLAVE_ADD_PAGES']!;
    const N = 10000;
    syscall = await median('ioctl-enotty', samples, () => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) sys.ioctlRaw(nul, req, null);
      return Number(process.hrtime.bigint() - t0) / N;
    });
  } finally {
    sys.close(nul);
  }
  const withEnclave = async (name: string, encSize: number, body: (e: Enclave) => number): Promise<number> =>
    median(name, samples, () => {
      const e = new Enclave(sys, driver, device, encSize);
      try {
        e.create();
        return body(e);
      } finally {
        e.cleanup();
      }
    });
  const ecreate = await withEnclave('ecreate', 8192, (e) => e.times.ecreateNs!);
  const perPage = (measure: number) => {
    // isgx: completion of queued adds is visible only through EINIT's flush. Its SIGSTRUCT must be
    // valid (signed, with this enclave's hash) for EINIT to get as far as the token it refuses
    // (SGX_INVALID_EINITTOKEN, which init accepts); a zeroed one fails as SGX_INVALID_SIG_STRUCT.
    const isgxSig =
      driver === 'isgx' && key
        ? signSigstruct(
            { enclaveHash: plannedMeasurement(size, [{ op: 'add', enclave: 1, offset: 0, pages, type: 'reg', perm: 3, measure }], src.get(pages * 4096)) },
            key,
          )
        : undefined;
    return (e: Enclave) => {
      const t0 = Number(process.hrtime.bigint());
      e.add(src, 0, pages, 'reg', 3, measure, 0);
      if (driver === 'isgx') e.init(isgxSig ?? Buffer.alloc(1808), true);
      return (Number(process.hrtime.bigint()) - t0) / pages;
    };
  };
  const pageUnmeasured = await withEnclave('page-unmeasured', size, perPage(0));
  const pageMeasured = await withEnclave('page-measured', size, perPage(0xffff));
  const eremove = await withEnclave('eremove', size, (e) => {
    e.add(src, 0, pages, 'reg', 3, 0, 0);
    const t0 = Number(process.hrtime.bigint());
    if (driver === 'mainline') e.close();
    else e.unmap();
    return (Number(process.hrtime.bigint()) - t0) / pages;
  });
  let einit: number | undefined;
  if (key && driver === 'mainline') {
    const adds = [{ op: 'add' as const, enclave: 1, offset: 0, pages: 1, type: 'reg' as const, perm: 3, measure: 0xffff }];
    const sig = signSigstruct({ enclaveHash: plannedMeasurement(8192, adds, src.get(4096)) }, key);
    einit = await withEnclave('einit', 8192, (e) => {
      e.add(src, 0, 1, 'reg', 3, 0xffff, 0);
      e.init(sig);
      return e.times.einitNs!;
    });
  }
  return { syscall, ecreate, pageUnmeasured, pageMeasured, eremove, ...(einit === undefined ? {} : { einit }) };
}
