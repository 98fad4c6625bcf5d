/**
 * The hardware backend: runs a workload's scenario with real ioctls on the SGX device it finds
 * (/dev/sgx_enclave → the mm-less design; /dev/isgx → per-mm; option `device` to choose) and
 * reports wall-clock metrics in ns. Without SGX, or without the native binding, every case is
 * `skipped` with the reason; nothing is ever substituted.
 */
import type { KeyObject } from 'node:crypto';
import { generateSigningKey } from '../arch/rsa.js';
import { Bench } from 'tinybench';
import type { Backend, CaseResult, CaseSpec } from '../types.js';
import { findWorkload } from '../../workloads/index.js';
import type { Op, ProcessScript, Scenario } from '../../workloads/types.js';
import { loadBinding, packageRoot, type NativeBinding } from './binding.js';
import { configureEmulator, emulatedDetail, emulatedDeviceProblem, emulatedFdsInProc, emulatorLibrary, isEmulatedPath, leaks } from './emulator.js';
import { chooseDevice, probe, type Driver } from './detect.js';
import { designVerdict, planScripts, scenarioVerdict } from './compat.js';
import { addBatch } from '../designs.js';
import { SourcePool } from './enclave.js';
import { appMetrics, caseMetrics, type ProcessMeasure } from './metrics.js';
import { runThreads } from './threads.js';
import type { MetricValue } from '../types.js';
import { runProcesses } from './processes.js';
import { runScript, ScriptError, type ScriptOutcome } from './script.js';

/** Why the hardware cannot run here, or undefined when it can. Cheap: a few stats and one file read. */
export function unavailableReason(device?: string, driver?: string): string | undefined {
  const p = probe();
  const choice = chooseDevice(p, device, driver);
  if (!choice.ok) return p.binding.built ? choice.reason : `${choice.reason}; ${p.binding.reason ?? 'native binding not built'}`;
  if (!p.binding.built) return p.binding.reason ?? 'native binding not built';
  return undefined;
}

let keyCache: KeyObject | undefined;
/** RSA-3072, e = 3: any key works with EINIT on FLC machines (reference §4.5). Generated once per thread. */
function signingKey(): KeyObject {
  keyCache ??= generateSigningKey();
  return keyCache;
}

async function runLocal(
  sys: NativeBinding,
  p: ProcessScript,
  ops: readonly Op[],
  driver: Driver,
  device: string,
  batch: number,
  samples: number,
): Promise<{ measures: ProcessMeasure[] }> {
  const needsKey = ops.some((o) => o.op === 'init');
  const env = {
    sys,
    driver,
    device,
    batchPages: batch,
    src: new SourcePool(sys),
    ...(needsKey ? { key: signingKey() } : {}),
    links: {
      sendFd: () => {
        throw new Error('send-fd in a lone process');
      },
      recvFd: () => {
        throw new Error('recv-fd in a lone process');
      },
      // planScripts checked that no barrier waits for more processes than reach it: a lone
      // process's barriers have count 1 and are passed at once.
      barrier: async () => undefined,
    },
  };
  const measures: ProcessMeasure[] = [];
  // tinybench drives the repetitions: a warm-up build, then `samples` timed builds.
  const bench = new Bench({ iterations: samples, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0, throws: true });
  let warm = true;
  bench.add(
    'script',
    async () => {
      const m = await runScript(p, ops, env);
      if (!warm) measures.push(m);
    },
    {
      beforeEach(mode) {
        warm = mode === 'warmup';
      },
    },
  );
  await bench.run();
  return { measures };
}

/**
 * A case on an emulated device (`--device emu:…`): the emulator is configured with the case's
 * profile costs, the case runs exactly as on hardware, and afterwards nothing may be left: no
 * emulated enclave fd (the emulator's count and /proc/self/fd), mapping or EPC page.
 */
async function runEmulatedCase(spec: CaseSpec, device: string): Promise<CaseResult> {
  const problem = emulatedDeviceProblem(device);
  if (problem) return { outcome: 'error', detail: problem };
  const config = configureEmulator(spec.profile, spec.profileData);
  const b = loadBinding();
  if (!b.ok) return { outcome: 'skipped', detail: `${device}: ${b.reason}` };
  try {
    b.binding.emuEnable(emulatorLibrary(packageRoot()), config);
  } catch (e) {
    return { outcome: 'skipped', detail: `${device}: the SGX driver emulator did not load: ${e instanceof Error ? e.message : String(e)}` };
  }
  const before = b.binding.emuStats()!;
  const r = await runDeviceCase(spec);
  const left = leaks(before, b.binding.emuStats()!, emulatedFdsInProc());
  const note = emulatedDetail(device, spec.profile);
  const failure = [...(left.length > 0 ? [`after the case: ${left.join(', ')}`] : []), ...(r.outcome === 'ok' ? [] : [r.detail])].join('; ');
  // A row's detail is its metric's when it has one: a failure must be in every row.
  const head = failure ? `${note}; ${failure}` : note;
  const metrics = (r.metrics ?? []).map((m) => ({ ...m, detail: m.detail ? `${head}; ${m.detail}` : head }));
  if (left.length > 0) return { outcome: 'error', detail: head, metrics };
  return r.outcome === 'ok' ? { outcome: 'ok', metrics } : { outcome: r.outcome, detail: head, metrics };
}

function runCase(spec: CaseSpec): Promise<CaseResult> {
  const device = spec.options['device'];
  return isEmulatedPath(device) ? runEmulatedCase(spec, device!) : runDeviceCase(spec);
}

async function runDeviceCase(spec: CaseSpec): Promise<CaseResult> {
  const device = spec.options['device'];
  const b = loadBinding();
  const p = probe();
  const choice = chooseDevice(p, device, spec.options['driver']);
  if (!choice.ok) return { outcome: 'skipped', detail: b.ok ? choice.reason : `${choice.reason}; ${b.reason}` };
  if (!b.ok) return { outcome: 'skipped', detail: b.reason };
  const dv = designVerdict(spec.design, spec.knobs, choice.driver, choice.path);
  if (!dv.run) return { outcome: dv.outcome, detail: dv.detail };
  const workload = findWorkload(spec.workload);
  if (!workload) return { outcome: 'error', detail: `unknown workload '${spec.workload}'` };
  const scenario: Scenario = workload.generate(spec.params, spec.seed);
  const sv = scenarioVerdict(scenario, spec.knobs);
  if (!sv.run) return { outcome: sv.outcome, detail: sv.detail };

  // Every op is served or answered before anything runs: ifNoHandover on isgx, settle, barriers.
  const plan = planScripts(scenario, choice.driver);
  if (!plan.run) return { outcome: plan.outcome, detail: plan.detail };
  const scripts = plan.scripts;
  if (scripts.length === 0) return { outcome: 'error', detail: `workload ${spec.workload} gave no process with operations` };

  const batch = addBatch(spec.knobs, spec.params['batch']);
  const samples = Math.max(1, Number(spec.options['samples'] ?? 5) || 5);
  try {
    let measures: ProcessMeasure[];
    let errors: { message: string; outcome: ScriptOutcome; secondary?: boolean }[] = [];
    const app: number[] = [];
    const threaded = scenario.background.length > 0 || new Set(scripts.map((s) => s.script.mm)).size < scripts.length;
    if (threaded) {
      // scenarioVerdict allowed threads only when the scenario has one mm: this process is it.
      const needsKey = scripts.some((s) => s.ops.some((o) => o.op === 'init'));
      const keyPem = needsKey ? (signingKey().export({ type: 'pkcs8', format: 'pem' }) as string) : undefined;
      measures = [];
      // One warm-up run, then `samples` timed runs, as for a lone process.
      for (let k = 0; k <= samples && errors.length === 0; k++) {
        const out = await runThreads(scripts, scenario.background, {
          driver: choice.driver,
          device: choice.path,
          batchPages: batch,
          seed: spec.seed + k,
          ...(keyPem ? { keyPem } : {}),
        });
        if (k === 0 && out.errors.length === 0) continue;
        measures.push(...out.measures);
        errors = out.errors;
        for (const r of out.background) app.push(...r.latNs);
      }
    } else if (scripts.length === 1) {
      measures = (await runLocal(b.binding, scripts[0]!.script, scripts[0]!.ops, choice.driver, choice.path, batch, samples)).measures;
    } else {
      const needsKey = scripts.some((s) => s.ops.some((o) => o.op === 'init'));
      const keyPem = needsKey ? (signingKey().export({ type: 'pkcs8', format: 'pem' }) as string) : undefined;
      const out = await runProcesses(b.binding, scripts, { driver: choice.driver, device: choice.path, batchPages: batch, ...(keyPem ? { keyPem } : {}) });
      measures = out.measures;
      errors = out.errors;
    }
    const metrics: MetricValue[] = [...caseMetrics(measures), ...appMetrics(app, [...new Set(scenario.background.map((b) => b.kind))])];
    if (errors.length > 0) {
      // The case ends as its first failures say (rejected / skipped) only when they all agree.
      const primary = new Set(errors.filter((e) => !e.secondary).map((e) => e.outcome));
      const outcome: ScriptOutcome = primary.size === 1 ? [...primary][0]! : 'error';
      return { outcome, detail: errors.map((e) => e.message).join(' | '), metrics };
    }
    return { outcome: 'ok', metrics };
  } catch (e) {
    // Only what was measured: a script answered before its first syscall has no numbers.
    const partial = e instanceof ScriptError && e.partial.enclaves.length > 0 ? caseMetrics([e.partial]) : [];
    return { outcome: e instanceof ScriptError ? e.outcome : 'error', detail: e instanceof Error ? e.message : String(e), metrics: partial };
  }
}

export const backend: Backend = {
  name: 'sgx',
  clock: 'wall',
  runCase,
};
