/**
 * `npm run check:report`: renders a report in headless Chromium and fails unless the page
 * parses with every chart in it and the screenshot shows charts. Without Chromium it skips with
 * a message (exit 0). The screenshot is kept for a person to look at.
 *
 * Usage: node dist/reports/check-page.js [FILE.csv...] [--png FILE]
 * Default input: the synthetic fixture test/fixtures/reports/model.csv.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readResults } from './read.js';
import { renderHtml } from './html.js';
import { inspectPng } from './png.js';
import { writeAtomic } from './write.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars'];

export function findChromium(): string | undefined {
  const env = process.env['CHROMIUM'];
  if (env) return existsSync(env) ? env : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export interface PageCheck {
  readonly svgCount: number;
  readonly expectedSvgs: number;
  readonly png: string;
  readonly width: number;
  readonly height: number;
  readonly inked: number;
  readonly coloured: number;
  readonly problems: readonly string[];
}

/** Renders `html` in Chromium: DOM dump (did it parse, are the charts there) and a screenshot. */
export function checkPage(chromium: string, html: string, pngPath: string): PageCheck {
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-page-'));
  try {
    const page = join(dir, 'index.html');
    writeAtomic(page, html);
    const url = pathToFileURL(page).href;
    const common = [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`];
    const dom = spawnSync(chromium, [...common, '--dump-dom', url], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    if (dom.status !== 0) throw new Error(`chromium --dump-dom failed (status ${dom.status}): ${dom.stderr.slice(-500)}`);
    const expectedSvgs = (html.match(/<svg /g) ?? []).length;
    const svgCount = (dom.stdout.match(/<svg /g) ?? []).length;
    mkdirSync(dirname(resolve(pngPath)), { recursive: true });
    const shot = spawnSync(chromium, [...common, `--screenshot=${resolve(pngPath)}`, '--window-size=1280,2000', url], { encoding: 'utf8', timeout: 90_000 });
    if (shot.status !== 0 || !existsSync(pngPath)) throw new Error(`chromium --screenshot failed (status ${shot.status}): ${shot.stderr.slice(-500)}`);
    const info = inspectPng(readFileSync(pngPath));
    const problems: string[] = [];
    if (!dom.stdout.includes('<h1>eaddbench report</h1>')) problems.push('the rendered DOM has no report heading');
    if (svgCount !== expectedSvgs) problems.push(`the rendered DOM has ${svgCount} <svg> elements, the page ${expectedSvgs}`);
    if (info.width !== 1280) problems.push(`screenshot is ${info.width} px wide, expected 1280`);
    if (info.inked < 0.02) problems.push(`screenshot is nearly blank (${(info.inked * 100).toFixed(1)} % non-white pixels)`);
    if (expectedSvgs > 0 && info.coloured < 0.0001) problems.push('screenshot shows no coloured chart marks');
    return { svgCount, expectedSvgs, png: pngPath, width: info.width, height: info.height, inked: info.inked, coloured: info.coloured, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: true, options: { png: { type: 'string' } } });
  const chromium = findChromium();
  if (!chromium) {
    process.stdout.write('check:report skipped: Chromium not found (install Debian\'s chromium package, or set CHROMIUM=/path/to/chromium)\n');
    return 0;
  }
  const inputs = positionals.length > 0 ? positionals : [join('test', 'fixtures', 'reports', 'model.csv')];
  const rows = inputs.flatMap((p) => readResults(p).rows);
  const png = values.png ?? join('reports', 'out', 'check.png');
  const res = checkPage(chromium, renderHtml({ files: inputs, rows }), png);
  process.stdout.write(
    `check:report: ${res.svgCount}/${res.expectedSvgs} charts rendered; screenshot ${res.png} ${res.width}×${res.height}, ` +
      `${(res.inked * 100).toFixed(1)} % inked, ${(res.coloured * 100).toFixed(2)} % coloured\n`,
  );
  for (const p of res.problems) process.stdout.write(`check:report: FAIL ${p}\n`);
  return res.problems.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`check:report: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err && typeof err === 'object' && 'exitCode' in err ? Number((err as { exitCode: number }).exitCode) : 1;
    },
  );
}
