import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, formatSize, parseNumber } from '../../bench/units.js';
import { parseSets, expandSweep, formatParams, parseParam } from '../../bench/params.js';
import { UsageError } from '../../bench/errors.js';
import type { WorkloadSpec } from '../../workloads/types.js';

test('sizes accept binary and decimal units and plain bytes', () => {
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('64MiB'), 64 * 2 ** 20);
  assert.equal(parseSize('1GiB'), 2 ** 30);
  assert.equal(parseSize('8k'), 8192);
  assert.equal(parseSize('1MB'), 1e6);
  assert.equal(parseSize('1.5KiB'), 1536);
  assert.equal(parseSize('12 parsecs'), undefined);
  assert.equal(parseSize('-1MiB'), undefined);
  assert.equal(parseSize('MiB'), undefined);
  assert.equal(formatSize(64 * 2 ** 20), '64MiB');
  assert.equal(formatSize(12345), '12345B');
  assert.equal(parseNumber('2.5'), 2.5);
  assert.equal(parseNumber('abc'), undefined);
});

const spec: WorkloadSpec = {
  name: 'toy',
  description: 'test workload',
  params: [
    {
      name: 'size',
      kind: 'size',
      unit: 'bytes',
      default: 8192,
      min: 8192,
      description: 'bytes',
      check: (v) => ((v as number) & ((v as number) - 1) ? 'a power of two' : undefined),
    },
    { name: 'measure', kind: 'bool', unit: 'bool', default: 1, description: 'measure' },
    { name: 'rate', kind: 'number', unit: '1/s', default: 10, min: 0.001, description: 'rate' },
  ],
  generate: () => ({ processes: [], background: [], needs: {} }),
};

test('--set lists expand into the cartesian product, defaults fill the rest', () => {
  const points = expandSweep(spec, parseSets(['size=8KiB,16KiB', 'measure=0,1']));
  assert.equal(points.length, 4);
  assert.deepEqual(points[0], { size: 8192, measure: 0, rate: 10 });
  assert.deepEqual(points[3], { size: 16384, measure: 1, rate: 10 });
  assert.equal(formatParams({ size: 8192, measure: 1, a: 'x' }), 'a=x;measure=1;size=8192');
});

test('bad --set input names the flag or parameter and the valid range', () => {
  assert.throws(
    () => parseSets(['size']),
    (e: Error) => e instanceof UsageError && /--set 'size' is malformed/.test(e.message),
  );
  assert.throws(() => parseSets(['size=1,,2']), /empty value/);
  assert.throws(() => parseSets(['size=1', 'size=2']), /given twice/);
  assert.throws(() => expandSweep(spec, parseSets(['bogus=1'])), /unknown parameter 'bogus' for workload 'toy'; valid parameters: size, measure, rate/);
  assert.throws(() => parseParam('toy', spec.params[0]!, '0'), /out of range; expected a size in bytes .* ≥ 8192/);
  assert.throws(() => parseParam('toy', spec.params[0]!, '12KiB'), /must be a power of two/);
  assert.throws(() => parseParam('toy', spec.params[0]!, 'big'), /'big' is not valid/);
  assert.throws(() => parseParam('toy', spec.params[1]!, '2'), /expected 0 or 1/);
  assert.throws(() => parseParam('toy', spec.params[2]!, '0'), /parameter 'rate' of workload 'toy': 0 is out of range/);
});
