/** `report --traces DIR`: swimlanes of a concurrent and an mmap-contention case per design, side by side. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eaddbench-swim-'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
}

const csv = join(dir, 'r.csv');
const traces = join(dir, 'traces');
const ran = cli(
  'run',
  'concurrent',
  'mmap-contention',
  'build',
  '--design',
  'per-mm,mm-less',
  '--set',
  'builders=1,2',
  '--set',
  'size=2MiB',
  '--workers',
  '2',
  '--out',
  csv,
  '--trace',
  traces,
);

/** The swimlane SVGs of index.html, by their accessible name. */
function swimlanes(html: string): Map<string, string> {
  const at = html.indexOf('id="chart-timelines"');
  assert.ok(at > 0, 'no timelines section');
  const out = new Map<string, string>();
  for (const m of html.slice(at).matchAll(/<svg [^>]*aria-label="([^"]*)"[\s\S]*?<\/svg>/g)) out.set(m[1]!, m[0]);
  return out;
}

test('index.html shows one swimlane per design for concurrent (most builders) and mmap-contention', () => {
  assert.equal(ran.status, 0, ran.stderr);
  const out = join(dir, 'rep');
  const r = cli('report', csv, '--out', out, '--traces', traces);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const svgs = swimlanes(html);
  assert.deepEqual([...svgs.keys()].sort(), ['mm-less — concurrent', 'mm-less — mmap-contention', 'per-mm — concurrent', 'per-mm — mmap-contention']);
  assert.match(html, /<b>concurrent<\/b>, [^<]*builders=2/);
  // The per-mm lanes include the single add-page worker doing the EADDs; mm-less has no worker.
  const perMm = svgs.get('per-mm — concurrent')!;
  assert.match(perMm, />kworker0<title>/);
  assert.match(perMm, />builder2<title>/);
  assert.match(perMm, /fill="#0072B2"><title>(\d+ slices \()?EADD/);
  assert.doesNotMatch(svgs.get('mm-less — concurrent')!, /kworker/);
  // Lock waits of the application threads behind the builder show in mmap-contention.
  assert.match(svgs.get('per-mm — mmap-contention')!, /fill="#D55E00"><title>[^<]*(mmap_sem|->lock)/);
  // The contended holds of those locks, as thin bars along the holders' lanes.
  assert.match(svgs.get('per-mm — mmap-contention')!, /height="4" fill="#E69F00"><title>[^<]*holds mmap_sem\(mm1\) \[(read|write)\]/);
  assert.match(perMm, /height="4" fill="#E69F00"><title>[^<]*holds encl\d-&gt;lock/);
  // Same input, same bytes.
  const again = join(dir, 'rep2');
  assert.equal(cli('report', csv, '--out', again, '--traces', traces).status, 0);
  assert.equal(readFileSync(join(again, 'index.html'), 'utf8'), html);
});

test('without --traces the section says how to get it; a bad --traces exits 2 naming it', () => {
  const out = join(dir, 'rep3');
  assert.equal(cli('report', csv, '--out', out).status, 0);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /No traces given: run with <code>--trace DIR<\/code>/);
  const bad = cli('report', csv, '--out', join(dir, 'rep4'), '--traces', join(dir, 'nowhere'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--traces .*nowhere: not a directory/);
});
