import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCharts } from '../../reports/charts.js';
import { cost } from '../../reports/charts/factors.js';
import { quantileName, quantileOf } from '../../reports/charts/quantiles.js';
import { parseResults, readResults } from '../../reports/read.js';
import { displayUnit, formatRatio } from '../../reports/format.js';
import { resolveAxis } from '../../reports/svg/axis.js';
import { HEADER, fixture } from './fixtures.js';

const QS = ['10', '25', '50', '75', '90', '99'];

function latencyCsv(qs: readonly string[]): string {
  const lines = [HEADER];
  for (const [di, d] of ['per-mm', 'mm-less'].entries()) {
    for (const q of qs) {
      lines.push(`1,r,c${di},model,${d},build,default,size=4096,1,0,model,ioctl_latency_p${q},ns,${(di + 1) * 1000 * Number(q)},ok,`);
    }
  }
  return lines.join('\n') + '\n';
}

test('the ioctl CDF uses every quantile present, as a staircase, and names them', () => {
  const rows = parseResults(latencyCsv(QS), 'q.csv').rows;
  const sec = buildCharts(rows).find((s) => s.id === 'ioctl-latency')!;
  const svg = sec.charts[0]!.svg;
  assert.match(svg, />quantiles in the data: p10, p25, p50, p75, p90, p99</);
  for (const q of QS) assert.match(svg, new RegExp(`<title>mm-less: p${q} = `));
  // Six points joined by horizontal-then-vertical steps.
  const path = /<path d="(M[^"]*)" fill="none" stroke="#0072B2"/.exec(svg)![1]!;
  assert.equal((path.match(/H[\d.]+V[\d.]+/g) ?? []).length, 5);
});

test('older files with only p50 and p99 still draw, and say so', () => {
  const sec = buildCharts(readResults(fixture('model.csv')).rows).find((s) => s.id === 'ready-latency')!;
  assert.ok(sec.charts.length > 0);
  for (const c of sec.charts) assert.match(c.svg, />quantiles in the data: p50, p99</);
});

test('quantile names round-trip', () => {
  assert.equal(quantileOf('p10'), 0.1);
  assert.equal(quantileOf('p999'), 0.999);
  assert.equal(quantileOf('max'), 1);
  assert.equal(quantileOf('mean'), null);
  assert.deepEqual([0.1, 0.25, 0.99, 0.999, 1].map(quantileName), ['p10', 'p25', 'p99', 'p999', 'max']);
});

test('factor costs point the same way for lower- and higher-is-better metrics', () => {
  assert.equal(cost('build_time_p50', 30, 10), 3, 'per-mm 3× slower');
  assert.equal(cost('throughput', 10, 30), 3, 'per-mm a third of the throughput');
  assert.equal(cost('throughput', 10, 0), null);
});

test('the factor chart isolates queue, binding and execution, and says why a pair has no bar', () => {
  const rows = readResults(fixture('model.csv')).rows;
  const sec = buildCharts(rows).find((s) => s.id === 'factors')!;
  const svg = sec.charts[0]!.svg;
  for (const f of ['queue: per-mm vs per-mm-sync', 'binding: per-mm vs attach', 'execution+source: attach vs mm-less'])
    assert.match(svg, new RegExp(`>${f.replace('+', '\\+')}</text>`));
  assert.match(svg, />deadlock<title>/, 'teardown: per-mm deadlocked');
  const build = sec.factors!.find((f) => f.workload === 'build')!;
  assert.equal(typeof build.costs.get('queue'), 'number');
});

test('single-point sweep groups are named, not drawn as empty charts', () => {
  const csv = [HEADER, '1,r,a,model,mm-less,epc-pressure,default,total=67108864;builders=4,1,0,model,throughput,pages/s,5,ok,'].join('\n') + '\n';
  const sec = buildCharts(parseResults(csv, 'x.csv').rows).find((s) => s.id === 'epc-pressure')!;
  assert.equal(sec.charts.length, 0);
  assert.match(sec.notes!.join(' '), /Not drawn, with a single total value: builders=4/);
});

test('one unit table serves text and axes', () => {
  assert.deepEqual(displayUnit('ns', 4.6e6), { factor: 1e6, unit: 'ms', prefix: 'ms' });
  assert.deepEqual(displayUnit('pages/s', 2e5), { factor: 1e3, unit: 'k pages/s', prefix: 'k' });
  assert.equal(resolveAxis({ label: 'throughput', unit: 'pages/s' }, [0, 2e5], [0, 1]).title, 'throughput (k pages/s)');
  assert.equal(formatRatio(0.0005), '÷2000');
  assert.equal(formatRatio(2.5), '×2.5');
});
