/** The trace checker itself: it must reject what Perfetto and chrome://tracing would misread. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTrace } from './validate.js';

const x = (ts: number, dur: number, tid = 1, name = 's') => ({ name, ph: 'X', ts, dur, pid: 1, tid });

test('the checker accepts nested slices and matched flows, and rejects each broken rule', () => {
  const ok = {
    traceEvents: [
      x(0, 10),
      x(1, 2),
      { name: 'f', cat: 'flow', ph: 's', id: 1, ts: 1, pid: 1, tid: 1 },
      x(3, 7),
      x(10, 1),
      { name: 'f', cat: 'flow', ph: 'f', bp: 'e', id: 1, ts: 12, pid: 1, tid: 2 },
      x(12, 1, 2),
    ],
  };
  assert.deepEqual(validateTrace(ok), []);
  const broken: [unknown, RegExp][] = [
    [{ events: [] }, /traceEvents/],
    [{ traceEvents: [x(0, 10), x(5, 10)] }, /overlaps its parent/],
    [{ traceEvents: [x(5, 1), x(2, 1)] }, /goes back/],
    [{ traceEvents: [{ name: 'a', ph: 'X', ts: 0, pid: 1, tid: 1 }] }, /lacks 'dur'/],
    [{ traceEvents: [{ name: 'f', cat: 'flow', ph: 's', id: 7, ts: 1, pid: 1, tid: 1 }] }, /flow flow 7: 1 starts and 0 ends/],
    [{ traceEvents: [{ name: 'c', ph: 'C', ts: 0, pid: 1, args: { value: 'x' } }] }, /not a number/],
    [{ traceEvents: [{ name: 'b', ph: 'B', ts: 0, pid: 1, tid: 1 }] }, /phase 'B'/],
  ];
  for (const [doc, why] of broken) assert.match(validateTrace(doc).join('; '), why);
});
