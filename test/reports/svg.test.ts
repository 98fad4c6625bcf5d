import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearScale, logScale, niceLinear, niceLog, px } from '../../reports/svg/scale.js';
import { resolveAxis } from '../../reports/svg/axis.js';
import { styleSeries } from '../../reports/svg/palette.js';
import { formatQuantity, sig3 } from '../../reports/format.js';

test('niceLinear widens to 1-2-5 steps', () => {
  assert.deepEqual(niceLinear(0, 1.33e6), { domain: [0, 1.5e6], ticks: [0, 500000, 1000000, 1500000] });
  assert.deepEqual(niceLinear(0, 37e6).ticks, [0, 1e7, 2e7, 3e7, 4e7]);
  assert.deepEqual(niceLinear(0.1, 0.93).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceLinear(5, 5), { domain: [4.4, 5.6], ticks: [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6] });
});

test('niceLog covers whole decades, with 2 and 5 on short spans', () => {
  assert.deepEqual(niceLog(3000, 4e6), { domain: [1000, 1e7], ticks: [1000, 10000, 100000, 1000000, 10000000] });
  assert.deepEqual(niceLog(1.2e6, 35e6).ticks, [1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8]);
});

test('scales map domain to range', () => {
  assert.equal(linearScale([0, 10], [100, 200])(5), 150);
  assert.equal(logScale([1, 100], [0, 200])(10), 100);
  assert.equal(px(-0.01), '0.0');
});

test('axis titles carry the display unit', () => {
  assert.equal(resolveAxis({ label: 'build time', unit: 'ns' }, [1e6, 3.7e7], [0, 100]).title, 'build time (ms)');
  assert.equal(resolveAxis({ label: 'latency', unit: 'ns', log: true }, [1e3, 1e7], [0, 100]).format(1e4), '10 µs');
  assert.equal(
    resolveAxis({ label: 'size', unit: 'bytes', log: true, ticksAt: [33554432, 1073741824] }, [33554432, 1073741824], [0, 1]).format(1073741824),
    '1 GiB',
  );
});

test('presets keep fixed colours; markers differ', () => {
  const s = styleSeries(['per-mm', 'custom', 'mm-less']);
  assert.equal(s.get('mm-less')!.colour, '#0072B2');
  assert.equal(s.get('per-mm')!.colour, '#D55E00');
  assert.ok(!['#0072B2', '#D55E00'].includes(s.get('custom')!.colour));
  assert.equal(new Set([...s.values()].map((v) => v.marker)).size, 3);
});

test('quantities are scaled with three significant digits', () => {
  assert.equal(formatQuantity(4608000, 'ns'), '4.61 ms');
  assert.equal(formatQuantity(1333333.3, 'pages/s'), '1.33 M pages/s');
  assert.equal(formatQuantity(48, 'requests'), '48 requests');
  assert.equal(sig3(0.000123456), '0.000123');
});
