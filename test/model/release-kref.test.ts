/**
 * The reclaimers hold a reference to the enclave of every page they have in hand, so a release
 * the owner's last close would start waits for the reclaimer's kref_put and runs in its task:
 * mainline `sgx_reclaim_pages` (torvalds/linux arch/x86/kernel/cpu/sgx/main.c) takes
 * `kref_get_unless_zero(&encl->refcount)` per isolated page and `kref_put(..., sgx_encl_release)`
 * after each page's write-back (or after putting a young page back); isgx `sgx_swap_pages`
 * (intel/linux-sgx-driver sgx_page_cache.c) holds one for the batch (`sgx_isolate_encl` …
 * `kref_put` after `up_read`). Before, the model released at the close and skipped the pages
 * in flight. Both tests fail on that behaviour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaseSync } from '../../backends/model/backend.js';
import { MiB, metric, spec } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eaddbench-kref-'));

interface Release {
  readonly task: string;
  readonly enclave: number;
  readonly ts: number;
  readonly dur: number;
}

/** Two builders, 96 MiB each on the 93.5 MiB EPC, each destroying its enclave at the end; the release slices. */
function releases(design: string): { r: ReturnType<typeof runCaseSync>; rel: Release[] } {
  const id = `kref-${design}`;
  const r = runCaseSync({ ...spec('epc-pressure', design, { total: 192 * MiB, destroy: 1 }), caseId: id, options: { trace: dir, trace_window_ms: '100000' } });
  assert.equal(r.outcome, 'ok', id);
  const doc = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as {
    traceEvents: { ph: string; name: string; pid: number; tid: number; ts?: number; dur?: number; args?: Record<string, unknown> }[];
  };
  const names = new Map(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid} ${e.tid}`, String(e.args?.['name'])]));
  const rel = doc.traceEvents
    .filter((e) => e.name === 'release (EREMOVE)')
    .map((e) => ({ task: names.get(`${e.pid} ${e.tid}`)!, enclave: Number(e.args?.['enclave']), ts: e.ts!, dur: e.dur! }))
    .sort((a, b) => a.ts - b.ts);
  assert.equal(rel.length, 2, `${id}: both enclaves released`);
  return { r, rel };
}

test('mainline: enclaves closed while ksgxd holds their pages are released by ksgxd at its last kref_put, one after the other', () => {
  const { r, rel } = releases('mm-less');
  assert.ok(metric(r, 'epc_evictions') > 0, 'under EPC pressure');
  for (const x of rel) assert.equal(x.task, 'ksgxd', `enclave ${x.enclave} released in ${x.task}, not by its builder's close`);
  // One task: the second release starts after the first ends (and the rest of ksgxd's batch,
  // well under a ms), so the later destroy waits for both.
  const gap = rel[1]!.ts - (rel[0]!.ts + rel[0]!.dur);
  assert.ok(gap >= 0 && gap < 1000, `serial in ksgxd: ${gap} µs between the releases`);
  const each = Math.min(rel[0]!.dur, rel[1]!.dur) * 1e3; // µs → ns
  assert.ok(metric(r, 'destroy_time_max') > 1.9 * each, `destroy_time_max ${metric(r, 'destroy_time_max')} ns covers both releases (${each} ns each)`);
});

test('isgx: the batch reference is dropped before the owners close, so each builder releases its own enclave', () => {
  const { rel } = releases('per-mm');
  assert.deepEqual(rel.map((x) => x.task).sort(), ['builder1', 'builder2']);
});
