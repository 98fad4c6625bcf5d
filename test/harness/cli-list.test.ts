/** `eaddbench list`, `--help` and the top-level dispatch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../bench/commands/index.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('list --json gives arrays of objects with a name, for each kind and for all', () => {
  for (const kind of ['workloads', 'designs', 'profiles', 'suites', undefined]) {
    const r = cli('list', ...(kind ? [kind] : []), '--json');
    assert.equal(r.status, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as { name?: unknown; kind?: unknown }[];
    assert.ok(Array.isArray(entries) && entries.length > 0, String(kind));
    for (const e of entries) assert.equal(typeof e.name, 'string');
    if (!kind) assert.ok(entries.every((e) => typeof e.kind === 'string'));
  }
  const designs = JSON.parse(cli('list', 'designs', '--json').stdout) as { name: string }[];
  for (const preset of ['per-mm', 'mm-less', 'attach', 'per-mm-sync'])
    assert.ok(
      designs.some((d) => d.name === preset),
      preset,
    );
  const workloads = JSON.parse(cli('list', 'workloads', '--json').stdout) as { name: string; params: { name: string; unit: string }[] }[];
  for (const w of ['build', 'concurrent', 'mmap-contention', 'handover', 'shared', 'epc-pressure', 'teardown', 'replay']) {
    const spec = workloads.find((x) => x.name === w);
    assert.ok(spec, w);
    assert.ok(
      spec.params.every((p) => p.unit.length > 0),
      `${w} parameters have units`,
    );
  }
});

test('list text shows parameters with units, defaults and ranges', () => {
  const r = cli('list', 'workloads');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /size\s+bytes\s+default 64MiB\s+range/);
  assert.equal(cli('list', 'gizmos').status, 2);
});

test('every command has --help with a worked example; unknown commands exit 2', () => {
  for (const c of COMMANDS) {
    const r = cli(c.name, '--help');
    assert.equal(r.status, 0, c.name);
    assert.match(r.stdout, new RegExp(`eaddbench ${c.name}\\b`), c.name);
    assert.match(r.stdout, /Example/i, c.name);
  }
  const top = cli('--help');
  assert.equal(top.status, 0);
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`\\b${c.name}\\b`));
  const bad = cli('frobnicate');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'; valid commands: run, list/);
});

test('--version prints the version from package.json (no second literal)', () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = cli(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `eaddbench ${pkg.version}\n`);
  }
});
