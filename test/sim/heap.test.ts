import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHeap, Prng } from '../../backends/model/sim/index.js';

test('EventHeap pops in (time, key) order through growth, ties and interleaved pushes', () => {
  const heap = new EventHeap<number>(16); // small, so it grows several times
  const g = new Prng(5, 'heap');
  const model: Array<[number, number, number]> = [];
  let key = 0;
  const out: number[] = [];
  const expected: number[] = [];
  for (let round = 0; round < 5000; round++) {
    const pushes = g.int(4);
    for (let i = 0; i < pushes; i++) {
      const t = g.int(50); // many equal times: the key must break ties
      const id = key++;
      heap.push(t, id, id);
      model.push([t, id, id]);
    }
    if (heap.size > 0 && g.int(3) > 0) {
      model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const [t, , id] = model.shift() as [number, number, number];
      assert.equal(heap.peekTime(), t);
      expected.push(id);
      out.push(heap.pop());
    }
  }
  assert.deepEqual(out, expected);
  assert.equal(heap.size, model.length);
  while (heap.size > 0) heap.pop();
  assert.equal(heap.peekTime(), Infinity);
});
