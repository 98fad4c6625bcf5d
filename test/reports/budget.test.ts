import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METRICS } from '../../results/schema.js';
import { parseResults } from '../../reports/read.js';
import { COMMENT_LIMIT, renderMarkdown } from '../../reports/markdown.js';
import { HEADLINE } from '../../reports/summary.js';
import { HEADER } from './fixtures.js';

const DESIGNS = ['per-mm', 'mm-less', 'attach', 'per-mm-sync'];
const WORKLOADS = Object.keys(HEADLINE);

/** A sweep wider than any suite: every workload × `configs` configurations × every metric, plus failures. */
function bigCsv(configs: number): string {
  const lines = [HEADER];
  let id = 0;
  for (const w of WORKLOADS) {
    for (let c = 0; c < configs; c++) {
      const params = `size=${(c + 1) * 4096};init=1;measure=1;batch=1048576;secs_size=0`;
      for (const [di, d] of DESIGNS.entries()) {
        const cid = `c${id++}`;
        if (d === 'per-mm' && c % 3 === 0) {
          lines.push(
            `1,big,${cid},model,${d},${w},default,${params},1,0,model,case,,,deadlock,"deadlock at t=${c} ns (model): owner holds mmap_sem(mm1) [write] and waits for flush_work"`,
          );
          continue;
        }
        for (const [mi, m] of METRICS.entries()) {
          if (m.unit === '') continue;
          lines.push(`1,big,${cid},model,${d},${w},default,${params},1,0,model,${m.name},${m.unit},${(mi + 1) * (di + 1) * 1000 + c},ok,`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

test('report.md of the default-suite scale fits a pull-request comment with every headline table', () => {
  const rows = parseResults(bigCsv(6), 'big.csv').rows;
  const md = renderMarkdown({ files: ['big.csv'], rows });
  assert.ok(md.length < COMMENT_LIMIT, `report.md is ${md.length} characters`);
  for (const w of WORKLOADS) {
    assert.match(
      md,
      new RegExp(
        `## ${w.replace('-', '\\-')}\\n\\nFixed for every case below: [^\\n]*\\n\\n\\| params \\| metric \\| mm-less \\(reference\\) \\| per-mm \\| attach \\| per-mm-sync \\|`,
      ),
      `headline table of ${w}`,
    );
    for (const m of HEADLINE[w]!) assert.ok(md.includes(`| ${m.replace(/_/g, ' ')} (`), `${w}: headline metric ${m}`);
  }
  assert.match(md, /## Cases without metrics/);
  assert.match(md, /the full tables are in index\.html/);
});

test('a far larger sweep still fits: details go first, then headline rows, each cut said', () => {
  const rows = parseResults(bigCsv(60), 'huge.csv').rows;
  const md = renderMarkdown({ files: ['huge.csv'], rows });
  assert.ok(md.length < COMMENT_LIMIT, `report.md is ${md.length} characters`);
  for (const w of WORKLOADS) assert.ok(md.includes(`## ${w.replace('-', '\\-')}`) || md.includes(`## ${w}`), `section of ${w}`);
  assert.match(md, /more row\(s\) left out to fit a pull-request comment; the full tables are in index\.html/);
});

test('a small input keeps every detail table', () => {
  const rows = parseResults(bigCsv(1), 'small.csv').rows;
  const md = renderMarkdown({ files: ['small.csv'], rows });
  assert.doesNotMatch(md, /left out/);
  assert.equal((md.match(/<details>/g) ?? []).length, WORKLOADS.length);
});
