/** The measure, keygen, sign and sigstruct commands, run as a user would (exit codes 0/1/2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ecreateBlock, eaddBlock } from '../../backends/arch/blocks.js';
import { fixture } from './helpers.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-cmd-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const key = path.join(tmp, 'key.pem');

test('measure prints the MRENCLAVE and the record counts; --json has mrenclave', () => {
  const r = run('measure', fixture('test_enclave.sgxs'));
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc');
  assert.match(r.out, /eadd\s+9\n/);
  assert.match(r.out, /eextend\s+144\n/);
  assert.match(r.out, /unmeasured\s+0\n/);
  const j = JSON.parse(run('measure', fixture('report.sgxs'), '--json').out) as Record<string, unknown>;
  assert.equal(j['mrenclave'], 'a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290');
  assert.equal(j['eextend'], 48);
});

test('measure: bad streams exit 2 naming the record; bad usage exits 2', () => {
  const bad = path.join(tmp, 'bad.sgxs');
  fs.writeFileSync(bad, Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0, 0x107)]));
  const r = run('measure', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /record 1 \(byte offset 64\): a TCS page has permissions/);
  const trunc = path.join(tmp, 'trunc.sgxs');
  fs.writeFileSync(trunc, fs.readFileSync(fixture('report.sgxs')).subarray(0, 1000));
  assert.match(run('measure', trunc).err, /truncated/);
  assert.equal(run('measure').code, 2);
  assert.equal(run('measure', fixture('report.sgxs'), '--bogus').code, 2);
  assert.equal(run('measure', path.join(tmp, 'missing.sgxs')).code, 2);
});

test('keygen → sign → sigstruct: a valid SIGSTRUCT for the stream', () => {
  const k = run('keygen', '--out', key);
  assert.equal(k.code, 0, k.err);
  const pk = crypto.createPrivateKey(fs.readFileSync(key));
  assert.equal(pk.asymmetricKeyDetails?.modulusLength, 3072);
  assert.equal(pk.asymmetricKeyDetails?.publicExponent, 3n);
  const sig = path.join(tmp, 'enclave.sig');
  const s = run('sign', fixture('test_enclave.sgxs'), '--key', key, '--out', sig, '--date', '20261125', '--vendor', '0x8086', '--isvprodid', '3', '--isvsvn', '4');
  assert.equal(s.code, 0, s.err);
  assert.equal(fs.statSync(sig).size, 1808);
  const v = run('sigstruct', sig, '--json');
  assert.equal(v.code, 0, v.err);
  const j = JSON.parse(v.out) as Record<string, unknown>;
  assert.equal(j['enclaveHash'], '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc');
  assert.deepEqual([j['date'], j['vendor'], j['isvProdId'], j['isvSvn'], j['attributes'], j['xfrm']], ['2026-11-25', 0x8086, 3, 4, '0x0000000000000004', '0x0000000000000003']);
  assert.deepEqual([j['signatureOk'], j['q1Ok'], j['q2Ok']], [true, true, true]);
  const text = run('sigstruct', sig);
  assert.match(text.out, /signature\s+valid/);
});

test('sign accepts any PEM RSA-3072 e=3 key (the published rust-sgx test key, PKCS#1)', () => {
  const sig = path.join(tmp, 'sig1-signed.sig');
  const r = run('sign', fixture('report.sgxs'), '--key', fixture('sig1.key.pem'), '--out', sig, '--date', '20160109');
  assert.equal(r.code, 0, r.err);
  assert.equal(run('sigstruct', sig).code, 0);
});

test('sigstruct: an invalid signature exits 1; a wrong size exits 2', () => {
  const good = fs.readFileSync(fixture('test_enclave.sig'));
  const bad = Buffer.from(good);
  bad[1000] = (bad[1000] ?? 0) ^ 0xff; // inside the signed body
  const f = path.join(tmp, 'tampered.sig');
  fs.writeFileSync(f, bad);
  const r = run('sigstruct', f);
  assert.equal(r.code, 1);
  assert.match(r.out, /signature\s+INVALID/);
  const short = path.join(tmp, 'short.sig');
  fs.writeFileSync(short, good.subarray(0, 1800));
  const s = run('sigstruct', short);
  assert.equal(s.code, 2);
  assert.match(s.err, /1808 bytes, this one is 1800/);
});

test('sign: bad input exits 2 and writes nothing', () => {
  const out = path.join(tmp, 'never.sig');
  const weak = path.join(tmp, 'weak.pem');
  fs.writeFileSync(weak, crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const e = run('sign', fixture('report.sgxs'), '--key', weak, '--out', out);
  assert.equal(e.code, 2);
  assert.match(e.err, /exponent is 65537/);
  const badStream = path.join(tmp, 'unknown.sgxs');
  fs.writeFileSync(badStream, Buffer.concat([ecreateBlock(0x4000, 1), Buffer.alloc(64, 7)]));
  const u = run('sign', badStream, '--key', fixture('sig1.key.pem'), '--out', out);
  assert.equal(u.code, 2);
  assert.match(u.err, /record 1 \(byte offset 64\): unknown record tag/);
  assert.equal(run('sign', fixture('report.sgxs'), '--key', fixture('sig1.key.pem'), '--out', out, '--date', '2026-01-01').code, 2);
  assert.equal(run('sign', fixture('report.sgxs'), '--key', fixture('sig1.key.pem'), '--out', out, '--vendor', '5').code, 2);
  assert.equal(run('sign', fixture('report.sgxs'), '--key', fixture('sig1.key.pem'), '--out', out, '--isvsvn', '65536').code, 2);
  assert.equal(run('sign', fixture('report.sgxs'), '--out', out).code, 2);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.endsWith('.tmp')), []);
});
