/**
 * Per-CPU tracks and IPI targets in model traces (backends/model/kernel/cpus.ts, ipi-trace.ts):
 * one track per simulated CPU of the profile, never two tasks on one CPU at once nor one task on
 * two CPUs; a build under EPC pressure with a thread inside each enclave shows the EWB's IPIs,
 * aimed at CPUs where the enclave's mm ran; a build with nobody inside shows none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaseSync } from '../../backends/model/backend.js';
import { loadProfile } from '../../backends/model/profiles.js';
import type { CaseResult } from '../../backends/types.js';
import { metric, spec } from '../model/helpers.js';
import { trackNames, validateTrace, type TraceEvent, type TraceFile } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'eaddbench-cpus-'));
const EPS = 1e-3;
const MiB = 1024 * 1024;

/** skylake-client with an 8 MiB EPC, so that a few MiB put it under pressure in a short case. */
const smallEpc = join(dir, 'small-epc.json');
{
  const data = structuredClone(loadProfile('skylake-client').data) as { name: string; machine: { epc_bytes: { value: number } } };
  data.name = 'small-epc';
  data.machine.epc_bytes.value = 8 * MiB;
  writeFileSync(smallEpc, JSON.stringify(data));
}

/** Run one case traced, the whole case kept (a window longer than the case); its result and trace. */
function traced(workload: string, design: string, params: Record<string, number>, id: string, profile = 'skylake-client'): { r: CaseResult; doc: TraceFile } {
  const r = runCaseSync({ ...spec(workload, design, params, profile), caseId: id, options: { trace: dir, trace_window_ms: '100000' } });
  assert.ok(r.outcome === 'ok' || r.outcome === 'deadlock', `${id}: ${r.outcome}`);
  const doc = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as TraceFile;
  assert.deepEqual(validateTrace(doc), [], id);
  assert.equal(Number(doc.otherData?.['aggregated_items']), 0, `${id}: nothing aggregated`);
  return { r, doc };
}

const key = (e: TraceEvent): string => `${e.pid} ${e.tid}`;

/** The CPU tracks ("pid tid" → CPU number) of a trace: threads `CPU <i>` of process `CPUs`. */
function cpuTracks(doc: TraceFile): Map<string, number> {
  const pid = doc.traceEvents.find((e) => e.ph === 'M' && e.name === 'process_name' && e.args?.['name'] === 'CPUs')?.pid;
  const out = new Map<string, number>();
  for (const [k, name] of trackNames(doc)) {
    const m = /^CPU (\d+)$/.exec(name);
    if (m && k.startsWith(`${pid} `)) out.set(k, Number(m[1]));
  }
  return out;
}

/** The slices of each CPU track, by CPU number, sorted by start. */
function cpuSlices(doc: TraceFile): Map<number, TraceEvent[]> {
  const tracks = cpuTracks(doc);
  const out = new Map<number, TraceEvent[]>([...tracks.values()].map((c) => [c, []]));
  for (const e of doc.traceEvents) if (e.ph === 'X' && tracks.has(key(e))) out.get(tracks.get(key(e))!)!.push(e);
  for (const l of out.values()) l.sort((a, b) => a.ts! - b.ts!);
  return out;
}

function checkCpus(doc: TraceFile, cpus: number, id: string): void {
  const tracks = cpuTracks(doc);
  assert.deepEqual(
    [...tracks.values()].sort((a, b) => a - b),
    [...Array(cpus).keys()],
    `${id}: one track per CPU of the profile`,
  );
  const lanes = cpuSlices(doc);
  const tasks = new Set(trackNames(doc).values());
  const byTask = new Map<string, TraceEvent[]>();
  for (const [cpu, list] of lanes) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      assert.ok(tasks.has(s.name), `${id}: CPU ${cpu} slice '${s.name}' is not a task's name`);
      // Never two tasks on one CPU at once.
      if (i > 0) assert.ok(s.ts! >= list[i - 1]!.ts! + list[i - 1]!.dur! - EPS, `${id}: CPU ${cpu}: ${s.name} at ${s.ts} overlaps ${list[i - 1]!.name}`);
      byTask.set(s.name, [...(byTask.get(s.name) ?? []), s]);
    }
  }
  // Nor one task on two CPUs at once.
  for (const [task, list] of byTask) {
    list.sort((a, b) => a.ts! - b.ts!);
    for (let i = 1; i < list.length; i++) assert.ok(list[i]!.ts! >= list[i - 1]!.ts! + list[i - 1]!.dur! - EPS, `${id}: ${task} on two CPUs at ${list[i]!.ts}`);
  }
  assert.ok(byTask.size > 0, `${id}: no task ran on a CPU`);
}

test('a model trace has one track per simulated CPU, never two tasks on one CPU at once', () => {
  const sky = loadProfile('skylake-client').data as { machine: { cpus: { value: number } } };
  const ice = loadProfile('icelake-server').data as { machine: { cpus: { value: number } } };
  // More builders than the 4 CPUs: tasks queue for CPUs and yield them at the end of a time slice.
  for (const design of ['per-mm', 'mm-less', 'attach']) {
    const id = `cpus-${design}`;
    checkCpus(traced('concurrent', design, { builders: 6, size: 1 * MiB }, id).doc, sky.machine.cpus.value, id);
  }
  const { doc } = traced('mmap-contention', 'per-mm', { size: 2 * MiB }, 'cpus-mmap');
  checkCpus(doc, sky.machine.cpus.value, 'cpus-mmap');
  // The CPU count is the profile's.
  assert.notEqual(ice.machine.cpus.value, sky.machine.cpus.value);
  checkCpus(traced('concurrent', 'mm-less', { builders: 2, size: 1 * MiB }, 'cpus-ice', 'icelake-server').doc, ice.machine.cpus.value, 'cpus-ice');
});

/** The IPI cases: EPC pressure on enclaves with a thread inside; `mms(enclave)`: the processes that map it. */
const IPI_CASES: { workload: string; design: string; params: Record<string, number>; mms: (enclave: number) => string[] }[] = [
  // Two builders: builder N's mm N owns enclave N, and the other's build evicts its pages.
  { workload: 'epc-pressure', design: 'per-mm', params: { total: 16 * MiB, builders: 2 }, mms: (e) => [`mm${e}`] },
  { workload: 'epc-pressure', design: 'mm-less', params: { total: 16 * MiB, builders: 3 }, mms: (e) => [`mm${e}`] },
  // One enclave mapped by two mms (mm1, mm2): the IPI goes to the union of their CPUs.
  { workload: 'shared', design: 'mm-less', params: { mms: 2, size: 4 * MiB, pressure: 8 * MiB }, mms: () => ['mm1', 'mm2'] },
  { workload: 'shared', design: 'attach', params: { mms: 2, size: 4 * MiB, pressure: 8 * MiB }, mms: () => ['mm1', 'mm2'] },
];

test('EPC pressure with a thread inside the enclave: IPI instants aimed at CPUs where the enclave’s mms ran', () => {
  for (const c of IPI_CASES) {
    const id = `ipi-${c.workload}-${c.design}`;
    const { r, doc } = traced(c.workload, c.design, { ...c.params, inside: 1 }, id, smallEpc);
    const names = trackNames(doc);
    const cpuOf = cpuTracks(doc);
    const lanes = cpuSlices(doc);
    const sent = doc.traceEvents.filter((e) => e.ph === 'i' && e.name === 'IPI (EWB NOT_TRACKED)');
    assert.ok(metric(r, 'epc_evictions') > 0, `${id}: under EPC pressure`);
    assert.ok(sent.length > 0, `${id}: IPI instants`);
    // The instants' IPIs are among those the metric counts (which adds the zaps' TLB shootdowns).
    assert.ok(sent.reduce((n, e) => n + Number(e.args?.['ipis']), 0) <= metric(r, 'ipis'), `${id}: more IPIs traced than counted`);
    const groupOf = new Map(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, String(e.args?.['name'])]));
    for (const e of sent) {
      assert.equal(e.s, 't');
      assert.match(names.get(key(e))!, /^(ksgxd|kworker\d+|builder\d+|pressure|owner|mapper\d+)$/, `${id}: sender`);
      const targets = e.args?.['targets'] as number[];
      assert.ok(Array.isArray(targets) && targets.length > 0, `${id}: IPI at ${e.ts} without targets`);
      // Each target CPU ran a task of one of the enclave's mms before the IPI...
      const mms = new Set(c.mms(Number(e.args?.['enclave'])));
      const mmTasks = new Set([...names].filter(([k]) => mms.has(groupOf.get(Number(k.split(' ')[0])) ?? '')).map(([, n]) => n));
      for (const cpu of targets) {
        const ran = lanes.get(cpu)!.some((s) => mmTasks.has(s.name) && s.ts! <= e.ts!);
        assert.ok(ran, `${id}: IPI at ${e.ts} targets CPU ${cpu}, where no task of ${[...mms].join(', ')} ran`);
        // ...and its track shows the IPI at the same time.
        const hit = doc.traceEvents.find((x) => x.ph === 'i' && cpuOf.get(key(x)) === cpu && x.ts === e.ts && x.name === `IPI from ${names.get(key(e))}`);
        assert.ok(hit, `${id}: no IPI on CPU ${cpu} at ${e.ts}`);
      }
    }
  }
});

test('the same cases with nobody inside the enclave (every build) have no IPI', () => {
  for (const c of IPI_CASES) {
    const id = `noipi-${c.workload}-${c.design}`;
    const { r, doc } = traced(c.workload, c.design, { ...c.params, inside: 0 }, id, smallEpc);
    assert.ok(metric(r, 'epc_evictions') > 0, `${id}: under EPC pressure`);
    assert.equal(doc.traceEvents.filter((e) => e.name.startsWith('IPI')).length, 0, id);
  }
});

test('every IPI the `ipis` metric counts is in the trace: the EWB’s and the zaps’ TLB shootdowns, aimed at other CPUs where the zapped mm ran', () => {
  const cases: { workload: string; design: string; params: Record<string, number> }[] = [
    ...IPI_CASES.map((c) => ({ ...c, params: { ...c.params, inside: 1 } })),
    ...IPI_CASES.map((c) => ({ ...c, params: { ...c.params, inside: 0 } })),
    // per-mm with the application's threads in the owner's mm: shootdowns at every batch.
    { workload: 'mmap-contention', design: 'per-mm', params: { size: 12 * MiB } },
  ];
  let shootdowns = 0;
  for (const c of cases) {
    const id = `shootdown-${c.workload}-${c.design}-${String(c.params['inside'] ?? '-')}`;
    const { r, doc } = traced(c.workload, c.design, c.params, id, smallEpc);
    const names = trackNames(doc);
    const cpuOf = cpuTracks(doc);
    const sent = doc.traceEvents.filter((e) => e.ph === 'i' && (e.name === 'IPI (EWB NOT_TRACKED)' || e.name === 'TLB shootdown (zap)'));
    const traced_ = sent.reduce((n, e) => n + Number(e.args?.['ipis']), 0);
    assert.equal(traced_, metric(r, 'ipis'), `${id}: the IPIs drawn are the IPIs counted`);
    for (const e of sent.filter((x) => x.name === 'TLB shootdown (zap)')) {
      shootdowns++;
      const targets = e.args?.['targets'] as number[];
      assert.ok(!targets.includes(Number(e.args?.['from_cpu'])), `${id}: a shootdown does not IPI its own CPU`);
      assert.ok(Number(e.args?.['pages']) >= 1, id);
      for (const cpu of targets) {
        const hit = doc.traceEvents.find(
          (x) => x.ph === 'i' && cpuOf.get(key(x)) === cpu && x.ts === e.ts && x.name === `TLB shootdown from ${names.get(key(e))}`,
        );
        assert.ok(hit, `${id}: no shootdown on CPU ${cpu} at ${e.ts}`);
      }
    }
  }
  assert.ok(shootdowns > 0, 'some case zapped a mapped page');
});
