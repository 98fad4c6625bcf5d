/**
 * The workqueue's non-reentrancy (torvalds/linux kernel/workqueue.c `process_one_work`): an item
 * queued again while one worker runs it is not picked up by a second worker at the same time; the
 * running worker runs it again when it finishes. Found by the invariants property test
 * (`attach,workers=2` under EPC pressure added an enclave's pages out of request order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment } from '../../backends/model/sim/index.js';
import { Cpus } from '../../backends/model/kernel/cpus.js';
import { Workqueue, workItem } from '../../backends/model/kernel/workqueue.js';

test('a work item re-queued while it runs never runs on two workers at once, and runs again after', () => {
  const env = new Environment();
  const cpus = new Cpus(env, 4, 1_000_000, 1_000);
  const wq = new Workqueue(env, cpus, 2, 0, 'test-wq');
  let inside = 0;
  let most = 0;
  let runs = 0;
  const item = workItem('item', function* () {
    inside++;
    most = Math.max(most, inside);
    runs++;
    yield env.timeout(1_000);
    inside--;
  });
  wq.queueWork(item);
  // While the first run is inside its 1 µs, queue it again: the idle second worker must defer it.
  env.process(
    (function* () {
      yield env.timeout(500);
      wq.queueWork(item);
    })(),
    'requeue',
  );
  env.run(10_000);
  assert.equal(most, 1, 'never on two workers at once');
  assert.equal(runs, 2, 'the deferred run happened');
  assert.equal(item.pending, false);
  assert.equal(item.running, null);
});
