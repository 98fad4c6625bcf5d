import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../../reports/markdown.js';
import { renderHtml } from '../../reports/html.js';
import { parseResults, readResults } from '../../reports/read.js';
import { buildCharts } from '../../reports/charts.js';
import { escapeMarkdown } from '../../reports/escape.js';
import { HEADER, fixture } from './fixtures.js';

const rows = readResults(fixture('model.csv')).rows;
const src = { files: ['model.csv'], rows };

test('report.md shows per-mm against mm-less with ratios, and failed cases with reasons', () => {
  const md = renderMarkdown(src);
  assert.match(md, /Fixed for every case below: init=1\./);
  assert.match(md, /\| size=8\u00a0MiB \| build time p50 \(ns, model, lower is better\) \| 922 µs \| 4\.61 ms \(×5\) \|/);
  assert.match(md, /\| rate=1 \| ready latency p50 .* \| \*rejected\* \|/);
  assert.match(md, /\| teardown \| per-mm \| .* \| deadlock \| cycle: owner &lt;script&gt;alert\("x"\)&lt;\/script&gt; \\\| holds/);
});

test('markdown escaping keeps CSV strings from breaking tables or injecting HTML', () => {
  assert.equal(escapeMarkdown('a|b\n<img src=x>*[l](u)'), 'a\\|b &lt;img src=x&gt;\\*\\[l\\](u)');
});

test('index.html is self-contained, escaped and deterministic', () => {
  const html = renderHtml(src);
  assert.equal(html, renderHtml(src), 'same input, same bytes');
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.ok((html.match(/<svg /g) ?? []).length >= 8);
});

test('every chart kind is drawn from the fixture; missing data says what is needed', () => {
  const ids = buildCharts(rows).map((s) => [s.id, s.charts.length, s.empty ?? ''] as const);
  for (const [id, n] of ids) assert.ok(n > 0, `${id} has charts`);
  const only = parseResults(`${HEADER}\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,100,ok,\n`, 'x.csv').rows;
  const sections = buildCharts(only);
  const tp = sections.find((s) => s.id === 'throughput')!;
  assert.equal(tp.charts.length, 0);
  assert.match(tp.empty!, /No data for this chart: it needs the `concurrent` workload swept over `builders`/);
  assert.match(renderHtml({ files: ['x.csv'], rows: only }), /No data for this chart/);
});

test('charts carry axis titles with units, legends and tooltips', () => {
  const tp = buildCharts(rows).find((s) => s.id === 'throughput')!.charts[0]!.svg;
  assert.match(tp, />throughput \(M pages\/s\)</);
  assert.match(tp, />concurrent builders \(count\), log scale</);
  for (const d of ['mm-less', 'per-mm', 'attach', 'per-mm-sync']) assert.match(tp, new RegExp(`>${d}</text>`));
  assert.match(tp, /<title>per-mm: builders=16 → throughput 233 k pages\/s<\/title>/);
  const hand = buildCharts(rows).find((s) => s.id === 'handover')!.charts[0]!.svg;
  assert.match(hand, />per-mm \(rejected\)</);
});
