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
import { generateRsaKey } from '../../backends/arch/rsa.js';
import { exampleImage } from '../../backends/arch/example-stream.js';
import { signSigstruct } from '../../backends/arch/sign.js';
import { EXAMPLE_FILE, naiveMrenclave } from './helpers.js';
import { PUBLISHED, needVectors, vector } from './vectors.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-cmd-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const key = path.join(tmp, 'key.pem');
/** MRENCLAVE of the example stream, from the naive SDM implementation in helpers.ts. */
const EXAMPLE_MRENCLAVE = naiveMrenclave(exampleImage());

/** A PKCS#8 RSA-3072 e = 3 key written by node:crypto, not by `keygen` (made once). */
let otherKey: string | undefined;
function pkcs8Key(): string {
  if (otherKey) return otherKey;
  otherKey = path.join(tmp, 'other.pem');
  const k = generateRsaKey();
  fs.writeFileSync(otherKey, k.export({ type: 'pkcs8', format: 'pem' }));
  return otherKey;
}

test('measure prints the MRENCLAVE and the record counts; --json has mrenclave', () => {
  const r = run('measure', EXAMPLE_FILE);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n')[0], EXAMPLE_MRENCLAVE);
  assert.match(r.out, /eadd\s+17\n/);
  assert.match(r.out, /eextend\s+128\n/);
  assert.match(r.out, /unmeasured\s+1\n/);
  const j = JSON.parse(run('measure', EXAMPLE_FILE, '--json').out) as Record<string, unknown>;
  assert.deepEqual([j['mrenclave'], j['size'], j['eadd'], j['eextend'], j['unmeasured']], [EXAMPLE_MRENCLAVE, 0x20000, 17, 128, 1]);
});

test('KAT: measure prints the published MRENCLAVEs of rust-sgx test_enclave.sgxs and report.sgxs', needVectors('test_enclave.sgxs', 'report.sgxs'), () => {
  const r = run('measure', vector('test_enclave.sgxs'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n')[0], PUBLISHED.testEnclave.mrenclave);
  assert.match(r.out, /eadd\s+9\n/);
  assert.match(r.out, /eextend\s+144\n/);
  assert.match(r.out, /unmeasured\s+0\n/);
  const j = JSON.parse(run('measure', vector('report.sgxs'), '--json').out) as Record<string, unknown>;
  assert.equal(j['mrenclave'], PUBLISHED.report.mrenclave);
  assert.equal(j['eextend'], PUBLISHED.report.eextend);
});

test('measure: bad streams exit 2 naming the record; bad usage exits 2', () => {
  const bad = path.join(tmp, 'bad.sgxs');
  fs.writeFileSync(bad, Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0, 0x107)]));
  const r = run('measure', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /record 1 \(byte offset 64\): a TCS page has permissions/);
  const trunc = path.join(tmp, 'trunc.sgxs');
  fs.writeFileSync(trunc, fs.readFileSync(EXAMPLE_FILE).subarray(0, 1000));
  assert.match(run('measure', trunc).err, /truncated/);
  assert.equal(run('measure').code, 2);
  assert.equal(run('measure', EXAMPLE_FILE, '--bogus').code, 2);
  assert.equal(run('measure', path.join(tmp, 'missing.sgxs')).code, 2);
});

test('keygen → sign → sigstruct: a valid SIGSTRUCT for the stream', () => {
  const k = run('keygen', '--out', key);
  assert.equal(k.code, 0, k.err);
  const pk = crypto.createPrivateKey(fs.readFileSync(key));
  assert.equal(pk.asymmetricKeyDetails?.modulusLength, 3072);
  assert.equal(pk.asymmetricKeyDetails?.publicExponent, 3n);
  const sig = path.join(tmp, 'enclave.sig');
  const s = run('sign', EXAMPLE_FILE, '--key', key, '--out', sig, '--date', '20261125', '--vendor', '0x8086', '--isvprodid', '3', '--isvsvn', '4');
  assert.equal(s.code, 0, s.err);
  assert.equal(fs.statSync(sig).size, 1808);
  const v = run('sigstruct', sig, '--json');
  assert.equal(v.code, 0, v.err);
  const j = JSON.parse(v.out) as Record<string, unknown>;
  assert.equal(j['enclaveHash'], EXAMPLE_MRENCLAVE);
  assert.deepEqual(
    [j['date'], j['vendor'], j['isvProdId'], j['isvSvn'], j['attributes'], j['xfrm']],
    ['2026-11-25', 0x8086, 3, 4, '0x0000000000000004', '0x0000000000000003'],
  );
  assert.deepEqual([j['signatureOk'], j['q1Ok'], j['q2Ok']], [true, true, true]);
  const text = run('sigstruct', sig);
  assert.match(text.out, /signature\s+valid/);
});

test('sign accepts a PKCS#8 RSA-3072 e=3 key made by node:crypto', () => {
  const sig = path.join(tmp, 'pkcs8-signed.sig');
  const r = run('sign', EXAMPLE_FILE, '--key', pkcs8Key(), '--out', sig, '--date', '20160109');
  assert.equal(r.code, 0, r.err);
  assert.equal(run('sigstruct', sig).code, 0);
});

test(
  'KAT: sign accepts the published rust-sgx test key (PKCS#1) and signs the public image with its published hash',
  needVectors('sig1.key.pem', 'test_enclave.sgxs'),
  () => {
    const sig = path.join(tmp, 'sig1-signed.sig');
    const r = run('sign', vector('test_enclave.sgxs'), '--key', vector('sig1.key.pem'), '--out', sig, '--date', '20160109');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(run('sigstruct', sig, '--json').out) as Record<string, unknown>;
    assert.equal(j['enclaveHash'], PUBLISHED.testEnclave.mrenclave);
    assert.equal(j['signatureOk'], true);
  },
);

test('sigstruct: an invalid signature exits 1; a wrong size exits 2', () => {
  const good = signSigstruct({ enclaveHash: Buffer.from(EXAMPLE_MRENCLAVE, 'hex') }, crypto.createPrivateKey(fs.readFileSync(pkcs8Key())));
  const ok = path.join(tmp, 'good.sig');
  fs.writeFileSync(ok, good);
  assert.equal(run('sigstruct', ok).code, 0);
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

test('KAT: sigstruct reports the published test_enclave.sig valid', needVectors('test_enclave.sig'), () => {
  const j = JSON.parse(run('sigstruct', vector('test_enclave.sig'), '--json').out) as Record<string, unknown>;
  assert.deepEqual([j['enclaveHash'], j['signatureOk'], j['q1Ok'], j['q2Ok']], [PUBLISHED.testEnclave.mrenclave, true, true, true]);
});

test('sign: bad input exits 2 and writes nothing', () => {
  const out = path.join(tmp, 'never.sig');
  const weak = path.join(tmp, 'weak.pem');
  fs.writeFileSync(weak, generateRsaKey(3072, 65537).export({ type: 'pkcs8', format: 'pem' }));
  const e = run('sign', EXAMPLE_FILE, '--key', weak, '--out', out);
  assert.equal(e.code, 2);
  assert.match(e.err, /exponent is 65537/);
  const badStream = path.join(tmp, 'unknown.sgxs');
  fs.writeFileSync(badStream, Buffer.concat([ecreateBlock(0x4000, 1), Buffer.alloc(64, 7)]));
  const u = run('sign', badStream, '--key', pkcs8Key(), '--out', out);
  assert.equal(u.code, 2);
  assert.match(u.err, /record 1 \(byte offset 64\): unknown record tag/);
  assert.equal(run('sign', EXAMPLE_FILE, '--key', pkcs8Key(), '--out', out, '--date', '2026-01-01').code, 2);
  assert.equal(run('sign', EXAMPLE_FILE, '--key', pkcs8Key(), '--out', out, '--vendor', '5').code, 2);
  assert.equal(run('sign', EXAMPLE_FILE, '--key', pkcs8Key(), '--out', out, '--isvsvn', '65536').code, 2);
  assert.equal(run('sign', EXAMPLE_FILE, '--out', out).code, 2);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.endsWith('.tmp')),
    [],
  );
});
