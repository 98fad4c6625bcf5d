/**
 * Lock holds in model traces (backends/model/kernel/holds.ts): every contended hold of mmap_sem
 * and encl->lock is a slice on its holder's track; a write hold or an encl->lock hold never overlaps
 * another hold of the same lock; every lock wait that ended, ended when a hold of that lock on
 * another track did (the contention is visible: who held it); a deadlock's holds end unfinished.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaseSync } from '../../backends/model/backend.js';
import { spec } from '../model/helpers.js';
import { trackNames, validateTrace, type TraceEvent, type TraceFile } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'eaddbench-holds-'));
const EPS = 1e-3;

function traced(workload: string, design: string, params: Record<string, number>, id: string): TraceFile {
  const r = runCaseSync({ ...spec(workload, design, params), caseId: id, options: { trace: dir, trace_window_ms: '2' } });
  assert.ok(r.outcome === 'ok' || r.outcome === 'deadlock', `${id}: ${r.outcome}`);
  const doc = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as TraceFile;
  assert.deepEqual(validateTrace(doc), [], id);
  return doc;
}

const kept = (doc: TraceFile): TraceEvent[] => doc.traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'aggregated');
const track = (e: TraceEvent): string => `${e.pid} ${e.tid}`;
const end = (e: TraceEvent): number => e.ts! + e.dur!;
/** The lock a hold slice holds (`holds mmap_sem(mm1) [read]` → mmap_sem(mm1)). */
const heldLock = (name: string): string => name.replace(/^holds /, '').replace(/ \[(read|write)\]$/, '');
/** The lock a wait slice waits for (`mmap_sem(mm1) read`, `encl1->lock`), or undefined. */
const waitedLock = (name: string): string | undefined => /^(mmap_sem\(mm\d+\))( read| write)$/.exec(name)?.[1] ?? /^encl\d+->lock$/.exec(name)?.[0];

function checkHolds(doc: TraceFile, id: string): { holds: TraceEvent[]; waits: TraceEvent[] } {
  const all = kept(doc);
  const holds = all.filter((e) => e.name.startsWith('holds '));
  const waits = all.filter((e) => waitedLock(e.name) !== undefined && e.args?.['unfinished'] !== true);
  // Exclusive holds do not overlap any other hold of the same lock.
  for (const h of holds) {
    if (h.name.endsWith('[read]')) continue;
    const other = holds.find((o) => o !== h && heldLock(o.name) === heldLock(h.name) && o.ts! < end(h) - EPS && h.ts! < end(o) - EPS);
    assert.equal(other, undefined, `${id}: ${h.name} [${h.ts}, ${end(h)}] overlaps ${other?.name} [${other?.ts}, ${other && end(other)}]`);
  }
  // A wait inside the head window ended when another track's hold of the lock ended.
  const head = Number(doc.otherData?.['window_ms']) * 1000;
  for (const w of waits) {
    if (end(w) >= head || w.dur! <= 0) continue;
    const lock = waitedLock(w.name)!;
    const releaser = holds.find((h) => heldLock(h.name) === lock && track(h) !== track(w) && Math.abs(end(h) - end(w)) <= EPS);
    assert.ok(releaser, `${id}: the wait ${w.name} [${w.ts}, ${end(w)}] ended without a hold of ${lock} ending then`);
  }
  return { holds, waits };
}

test('mmap-contention per-mm: the worker holds mmap_sem read while the application threads wait for it', () => {
  const doc = traced('mmap-contention', 'per-mm', { size: 4 * 1024 * 1024 }, 'mmc');
  const { holds, waits } = checkHolds(doc, 'mmc');
  const names = trackNames(doc);
  const on = (e: TraceEvent): string => names.get(track(e)) ?? '';
  assert.ok(
    holds.some((h) => h.name === 'holds mmap_sem(mm1) [read]' && /^kworker/.test(on(h))),
    'worker read holds',
  );
  assert.ok(
    holds.some((h) => h.name === 'holds mmap_sem(mm1) [write]' && /mmap-churn/.test(on(h))),
    'churn write holds',
  );
  assert.ok(
    holds.some((h) => h.name === 'holds encl1->lock' && /^kworker/.test(on(h))),
    'worker encl->lock holds',
  );
  assert.ok(waits.length > 0, 'no lock waits to check');
});

test('concurrent: per-mm builder and worker take turns on encl->lock (both hold it contended); mm-less builders never contend', () => {
  const perMm = traced('concurrent', 'per-mm', { builders: 2, size: 1024 * 1024 }, 'conc-pm');
  const { holds } = checkHolds(perMm, 'conc-pm');
  const names = trackNames(perMm);
  const holders = new Set(holds.filter((h) => h.name === 'holds encl1->lock').map((h) => names.get(track(h))));
  assert.deepEqual([...holders].sort(), ['builder1', 'kworker0']);
  const mmLess = traced('concurrent', 'mm-less', { builders: 2, size: 1024 * 1024 }, 'conc-ml');
  const { holds: none, waits } = checkHolds(mmLess, 'conc-ml');
  assert.deepEqual([none.length, waits.length], [0, 0]);
  // The builders did take the locks: the uncontended holds are just not drawn.
  assert.ok(kept(mmLess).some((e) => /^EADD/.test(e.name)));
});

test('per-mm,release=sync teardown deadlock: the unmapper holds mmap_sem write to the end, unfinished', () => {
  const doc = traced('teardown', 'per-mm,release=sync', { size: 2 * 1024 * 1024 }, 'dead');
  const names = trackNames(doc);
  const held = kept(doc).find((e) => e.name === 'holds mmap_sem(mm1) [write]' && e.args?.['unfinished'] === true);
  assert.ok(held, 'no unfinished write hold');
  assert.doesNotMatch(names.get(track(held)) ?? '', /^kworker/);
  checkHolds(doc, 'dead');
});
