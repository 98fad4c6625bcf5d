/**
 * The hardware backend: runs a workload's scenario with real ioctls on the SGX device it finds
 * (/dev/sgx_enclave → the mm-less design; /dev/isgx → per-mm; option `device` to choose) and
 * reports wall-clock metrics in ns. Without SGX, or without the native binding, every case is
 * `skipped` with the reason; nothing is ever substituted.
 */
import type { KeyObject } from 'node:crypto';
import { generateSigningKey } from '../arch/rsa.js';
import type { Backend, CaseResult, CaseSpec } from '../types.js';
import { scenarioFor, scenarioSeed } from '../scenario.js';
import type { Op, ProcessScript, Scenario } from '../../workloads/types.js';
import { loadBinding, packageRoot, type NativeBinding } from './binding.js';
import { configureEmulator, emulatedDetail, emulatedDeviceProblem, emulatedFdsInProc, emulatorLibrary, epcMetrics, isEmulatedPath, leaks } from './emulator.js';
import { chooseDevice, probe, type Driver } from './detect.js';
import { designVerdict, planScripts, scenarioVerdict } from './compat.js';
import { addBatch } from '../designs.js';
import { SourcePool } from './enclave.js';
import { appMetrics, caseMetrics, type ProcessMeasure } from './metrics.js';
import { runThreads } from './threads.js';
import type { MetricValue } from '../types.js';
import { runProcesses } from './processes.js';
import { runScript, ScriptError, type ScriptOutcome } from './script.js';
import { traceRequest } from '../trace.js';
import { SysTrace, type SysTraceData } from './trace.js';
import { writeSysTrace } from './trace-file.js';

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
  traced?: { readonly script: SysTrace; readonly runs: SysTrace },
): Promise<{ measures: ProcessMeasure[] }> {
  const needsKey = ops.some((o) => o.op === 'init');
  // Traced: the script's calls on their track, the runs (warm-up, samples) on another.
  const trace = traced?.script;
  const runs = traced?.runs;
  const tsys = trace ? trace.wrap(sys) : sys;
  const env = {
    sys: tsys,
    driver,
    device,
    batchPages: batch,
    src: new SourcePool(tsys),
    ...(needsKey ? { key: signingKey() } : {}),
    ...(trace ? { trace } : {}),
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
  // A plain timed loop: one warm-up run (not kept), then `samples` timed runs. Each run's
  // numbers are its own (runScript times every ioctl and build): no statistics over the loop.
  for (let k = 0; k <= samples; k++) {
    const t0 = runs ? now() : 0;
    const m = await runScript(p, ops, env);
    runs?.span(k === 0 ? 'warm-up' : `sample ${k}`, t0, now());
    if (k > 0) measures.push(m);
  }
  return { measures };
}

const now = (): number => Number(process.hrtime.bigint());

/**
 * A case on an emulated device (`--device emu:…`): the emulator is configured with the case's
 * profile costs, the case runs exactly as on hardware, and afterwards nothing may be left: no
 * emulated enclave fd (the emulator's count and /proc/self/fd), mapping or EPC page.
 */
async function runEmulatedCase(spec: CaseSpec, device: string, traces?: SysTraceData[]): Promise<CaseResult> {
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
  const r = await runDeviceCase(spec, traces);
  const after = b.binding.emuStats()!;
  const left = leaks(before, after, emulatedFdsInProc());
  const note = emulatedDetail(device, spec.profile);
  const failure = [...(left.length > 0 ? [`after the case: ${left.join(', ')}`] : []), ...(r.outcome === 'ok' ? [] : [r.detail])].join('; ');
  // A row's detail is its metric's when it has one: a failure must be in every row.
  const head = failure ? `${note}; ${failure}` : note;
  const measured = r.metrics ?? [];
  // The emulator knows what no wall clock shows: the EWBs and ELDUs the case caused.
  const all = measured.length > 0 ? [...measured, ...epcMetrics(before, after)] : measured;
  const metrics = all.map((m) => ({ ...m, detail: m.detail ? `${head}; ${m.detail}` : head }));
  if (left.length > 0) return { outcome: 'error', detail: head, metrics };
  return r.outcome === 'ok' ? { outcome: 'ok', metrics } : { outcome: r.outcome, detail: head, metrics };
}

async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const device = spec.options['device'];
  const req = traceRequest(spec);
  const traces: SysTraceData[] | undefined = req ? [] : undefined;
  const r = await (isEmulatedPath(device) ? runEmulatedCase(spec, device!, traces) : runDeviceCase(spec, traces));
  // A trace of what ran: a case answered before any syscall has none.
  if (req && traces?.some((t) => t.ev.length > 0)) writeSysTrace(req.dir, req.windowNs, spec, traces, r.outcome);
  return r;
}

/** The traces the measures (and background results) of a run carry. */
function collect(into: SysTraceData[] | undefined, from: readonly { readonly trace?: SysTraceData }[]): void {
  if (into) for (const m of from) if (m.trace) into.push(m.trace);
}

async function runDeviceCase(spec: CaseSpec, traces?: SysTraceData[]): Promise<CaseResult> {
  const device = spec.options['device'];
  const b = loadBinding();
  const p = probe();
  const choice = chooseDevice(p, device, spec.options['driver']);
  if (!choice.ok) return { outcome: 'skipped', detail: b.ok ? choice.reason : `${choice.reason}; ${b.reason}` };
  if (!b.ok) return { outcome: 'skipped', detail: b.reason };
  const dv = designVerdict(spec.design, spec.knobs, choice.driver, choice.path);
  if (!dv.run) return { outcome: dv.outcome, detail: dv.detail };
  // The model's scenario for the same case: seeded from (seed, repeat), so repeats differ.
  const made = scenarioFor(spec);
  if (!made.ok) return { outcome: 'error', detail: made.detail };
  const scenario: Scenario = made.scenario;
  const sv = scenarioVerdict(scenario, spec.knobs);
  if (!sv.run) return { outcome: sv.outcome, detail: sv.detail };

  // Every op is served or answered before anything runs: ifNoHandover on isgx, settle, barriers.
  const plan = planScripts(scenario, choice.driver);
  if (!plan.run) return { outcome: plan.outcome, detail: plan.detail };
  const scripts = plan.scripts;
  if (scripts.length === 0) return { outcome: 'error', detail: `workload ${spec.workload} gave no process with operations` };

  const batch = addBatch(spec.knobs, spec.params['batch']);
  const samples = Math.max(1, Number(spec.options['samples'] ?? 5) || 5);
  // Traced: the harness's runs (warm-up, samples) on a track of the case worker.
  const runs = traces ? new SysTrace('case worker', 'runs') : undefined;
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
        const t0 = now();
        const out = await runThreads(scripts, scenario.background, {
          driver: choice.driver,
          device: choice.path,
          batchPages: batch,
          // Background schedules differ between repeats and runs, as the scenario's arrivals do.
          seed: scenarioSeed(spec.seed, spec.repeat) + k,
          ...(keyPem ? { keyPem } : {}),
          ...(traces ? { trace: true } : {}),
        });
        runs?.span(k === 0 ? 'warm-up' : `sample ${k}`, t0, now());
        collect(traces, out.measures);
        collect(traces, out.background);
        if (k === 0 && out.errors.length === 0) continue;
        measures.push(...out.measures);
        errors = out.errors;
        for (const r of out.background) app.push(...r.latNs);
      }
    } else if (scripts.length === 1) {
      const s0 = scripts[0]!.script;
      const script = traces ? new SysTrace(s0.name, s0.name) : undefined;
      try {
        measures = (await runLocal(b.binding, s0, scripts[0]!.ops, choice.driver, choice.path, batch, samples, script && runs ? { script, runs } : undefined))
          .measures;
      } finally {
        if (script) traces?.push(script.data());
      }
    } else {
      const needsKey = scripts.some((s) => s.ops.some((o) => o.op === 'init'));
      const keyPem = needsKey ? (signingKey().export({ type: 'pkcs8', format: 'pem' }) as string) : undefined;
      const t0 = now();
      const out = await runProcesses(b.binding, scripts, {
        driver: choice.driver,
        device: choice.path,
        batchPages: batch,
        ...(keyPem ? { keyPem } : {}),
        ...(traces ? { trace: true } : {}),
      });
      runs?.span('run', t0, now());
      collect(traces, out.measures);
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
    if (e instanceof ScriptError) collect(traces, [e.partial]);
    return { outcome: e instanceof ScriptError ? e.outcome : 'error', detail: e instanceof Error ? e.message : String(e), metrics: partial };
  } finally {
    if (runs) traces?.push(runs.data());
  }
}

export const backend: Backend = {
  name: 'sgx',
  clock: 'wall',
  runCase,
};
