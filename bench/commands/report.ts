import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { parseFileCommand, requirePath } from '../../reports/args.js';
import { renderMarkdown } from '../../reports/markdown.js';
import { renderHtml } from '../../reports/html.js';
import { checkOutputDir, writeFilesAtomic } from '../../common/atomic-write.js';
import { versionNote } from '../../reports/read.js';
import { withDefaultParams } from '../../reports/param-defaults.js';
import { loadTimelines, WINDOW_US } from '../../reports/timelines.js';
import { UsageError } from '../errors.js';

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const HELP = `eaddbench report FILE.csv... [--out DIR] [--traces DIR]

Turns one or more results files into
  DIR/report.md    a summary for a pull-request comment or a CI job summary: per workload,
                   every design side by side with its ratio to mm-less
  DIR/index.html   a self-contained page (no scripts, no network) with SVG charts: throughput
                   against concurrency, ioctl and ready latency distributions, binding against
                   execution, EPC pressure, handover time to ready against arrival rate
Charts the data cannot support say which workload or metric they need. The same input gives
the same bytes. Both files are written whole (temporary file, then rename).

Options:
  --out DIR    output directory (default reports/out)
  --traces DIR the traces of 'run --trace DIR': index.html then shows swimlanes of the first
               ${WINDOW_US / 1000} ms (model time) of a concurrent and an mmap-contention case per design

Example:
  eaddbench run --suite default --out results/latest.csv
  eaddbench report results/latest.csv --out reports/out
`;

export const command: Command = {
  name: 'report',
  summary: 'write report.md and a self-contained index.html with charts from CSVs',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const outDir = (v: string | undefined) => (v === undefined ? join('reports', 'out') : requirePath('report', 'out', v, 'DIR'));
    const { values, paths, inputs } = parseFileCommand(
      'report',
      argv,
      { out: { type: 'string' }, traces: { type: 'string' } },
      { min: 1, what: 'at least one results CSV' },
      (v) => {
        checkOutputDir(outDir(typeof v['out'] === 'string' ? v['out'] : undefined), ['report.md', 'index.html'], '--out');
        if (typeof v['traces'] === 'string' && !isDirectory(v['traces']))
          throw new UsageError(`--traces ${v['traces']}: not a directory (give the DIR of 'run --trace DIR')`);
      },
    );
    const out = outDir(values.out);
    // Files from before a workload gained a parameter: their rows ran with its default (reports/param-defaults.ts).
    const { rows, filled } = withDefaultParams(inputs.flatMap((f) => f.rows));
    const src = { files: paths, rows, ...(values.traces !== undefined ? { timelines: loadTimelines(rows, values.traces) } : {}) };
    // Render both before writing either, so a failure leaves no half-updated report.
    const md = renderMarkdown(src);
    const html = renderHtml(src);
    writeFilesAtomic(
      [
        { file: join(out, 'report.md'), data: md },
        { file: join(out, 'index.html'), data: html },
      ],
      { flag: '--out' },
    );
    process.stderr.write(`eaddbench: read ${versionNote(inputs)}\n`);
    if (filled.length > 0)
      process.stderr.write(`eaddbench: rows that do not name a parameter their workload has now are reported with its default (${filled.join(', ')})\n`);
    process.stderr.write(`eaddbench: wrote ${join(out, 'report.md')} (${md.length} characters) and ${join(out, 'index.html')} (${src.rows.length} rows)\n`);
    return 0;
  },
};
