/**
 * `npm run check:report`: renders a report in headless Chromium and fails unless the page
 * parses with every chart in it and the screenshot shows charts. Without Chromium it skips with
 * a message (exit 0). The screenshot is kept for a person to look at.
 *
 * Usage: node dist/dev/check-page.js [FILE.csv...] [--png FILE] [--height PX] [--tiles] [--traces DIR]
 * Default input: the synthetic fixture test/fixtures/reports/model.csv. The window is 1280 px
 * wide and `--height` px tall (default 2000); `--tiles` also screenshots the rest of the page,
 * one window at a time, into FILE-2.png, FILE-3.png… for a person to read down the page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readResults } from '../reports/read.js';
import { renderHtml } from '../reports/html.js';
import { loadTimelines } from '../reports/timelines.js';
import { inspectPng } from './png.js';
import { writeFileAtomic } from '../common/atomic-write.js';
import { parsePositiveInt } from '../reports/args.js';
import { UsageError } from '../common/errors.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
];

/** Window height of the screenshot unless asked otherwise (px). */
export const DEFAULT_HEIGHT = 2000;
/** Tallest window asked for (px): Chromium's screenshot surface stops at 16384. */
const MAX_HEIGHT = 16384;
/** Most screenshots `--tiles` takes of one page. */
const MAX_TILES = 40;

export function findChromium(): string | undefined {
  const env = process.env['CHROMIUM'];
  if (env) return existsSync(env) ? env : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export interface PageCheck {
  readonly svgCount: number;
  readonly expectedSvgs: number;
  readonly png: string;
  /** Every screenshot written: `png`, then the tiles further down the page. */
  readonly pngs: readonly string[];
  readonly width: number;
  readonly height: number;
  readonly inked: number;
  readonly coloured: number;
  readonly problems: readonly string[];
}

export interface ShotOptions {
  /** Window height in px (default DEFAULT_HEIGHT). */
  readonly height?: number;
  /**
   * Also screenshot the rest of the page, `height` px at a time, into `NAME-2.png`, `NAME-3.png`…
   * (the page is shifted up by a negative margin in a copy; the report itself has no scripts).
   */
  readonly tiles?: boolean;
}

/** Renders `html` in Chromium: DOM dump (did it parse, are the charts there) and screenshots. */
export function checkPage(chromium: string, html: string, pngPath: string, opts: ShotOptions = {}): PageCheck {
  const height = opts.height ?? DEFAULT_HEIGHT;
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-page-'));
  try {
    const page = join(dir, 'index.html');
    writeFileAtomic(page, html);
    const url = pathToFileURL(page).href;
    const common = [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`];
    const dom = spawnSync(chromium, [...common, '--dump-dom', url], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    if (dom.status !== 0) throw new Error(`chromium --dump-dom failed (status ${dom.status}): ${dom.stderr.slice(-500)}`);
    const expectedSvgs = (html.match(/<svg /g) ?? []).length;
    const svgCount = (dom.stdout.match(/<svg /g) ?? []).length;
    mkdirSync(dirname(resolve(pngPath)), { recursive: true });
    const shoot = (target: string, url: string) => {
      const shot = spawnSync(chromium, [...common, `--screenshot=${resolve(target)}`, `--window-size=1280,${height}`, url], {
        encoding: 'utf8',
        timeout: 90_000,
      });
      if (shot.status !== 0 || !existsSync(target)) throw new Error(`chromium --screenshot failed (status ${shot.status}): ${shot.stderr.slice(-500)}`);
    };
    shoot(pngPath, url);
    const pngs = [pngPath];
    if (opts.tiles) {
      const total = pageHeight(chromium, common, dir, html);
      for (let k = 1; k * height < total && k < MAX_TILES; k++) {
        const shifted = join(dir, `tile${k}.html`);
        writeFileAtomic(shifted, html.replace('</head>', `<style>body{margin-top:-${k * height}px}</style></head>`));
        const target = pngPath.replace(/(\.png)?$/i, `-${k + 1}.png`);
        shoot(target, pathToFileURL(shifted).href);
        pngs.push(target);
      }
    }
    const info = inspectPng(readFileSync(pngPath));
    const problems: string[] = [];
    if (!dom.stdout.includes('<h1>eaddbench report</h1>')) problems.push('the rendered DOM has no report heading');
    if (svgCount !== expectedSvgs) problems.push(`the rendered DOM has ${svgCount} <svg> elements, the page ${expectedSvgs}`);
    if (info.width !== 1280) problems.push(`screenshot is ${info.width} px wide, expected 1280`);
    if (info.inked < 0.02) problems.push(`screenshot is nearly blank (${(info.inked * 100).toFixed(1)} % non-white pixels)`);
    if (expectedSvgs > 0 && info.coloured < 0.0001) problems.push('screenshot shows no coloured chart marks');
    return { svgCount, expectedSvgs, png: pngPath, pngs, width: info.width, height: info.height, inked: info.inked, coloured: info.coloured, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The page's laid-out height in px, from a copy with a one-line script (the report has none). */
function pageHeight(chromium: string, common: readonly string[], dir: string, html: string): number {
  const probe = join(dir, 'probe.html');
  writeFileAtomic(
    probe,
    html.replace('</body>', '<script>document.body.setAttribute("data-page-height", String(document.documentElement.scrollHeight))</script></body>'),
  );
  const dom = spawnSync(chromium, [...common, '--window-size=1280,800', '--dump-dom', pathToFileURL(probe).href], {
    encoding: 'utf8',
    timeout: 90_000,
    maxBuffer: 64 << 20,
  });
  const m = /data-page-height="(\d+)"/.exec(dom.stdout);
  if (dom.status !== 0 || !m) throw new Error(`chromium could not measure the page height (status ${dom.status})`);
  return Number(m[1]);
}

async function main(): Promise<number> {
  const parse = () =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: true,
      options: { png: { type: 'string' }, height: { type: 'string' }, tiles: { type: 'boolean', default: false }, traces: { type: 'string' } },
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)} (options: --png FILE, --height PX, --tiles, --traces DIR)`);
  }
  const { values, positionals } = parsed;
  const height = values.height !== undefined ? parsePositiveInt('height', values.height, MAX_HEIGHT) : DEFAULT_HEIGHT;
  const chromium = findChromium();
  if (!chromium) {
    process.stdout.write("check:report skipped: Chromium not found (install Debian's chromium package, or set CHROMIUM=/path/to/chromium)\n");
    return 0;
  }
  const inputs = positionals.length > 0 ? positionals : [join('test', 'fixtures', 'reports', 'model.csv')];
  const rows = inputs.flatMap((p) => readResults(p).rows);
  const png = values.png ?? join('reports', 'out', 'check.png');
  const timelines = values.traces !== undefined ? { timelines: loadTimelines(rows, values.traces) } : {};
  const res = checkPage(chromium, renderHtml({ files: inputs, rows, ...timelines }), png, { height, tiles: values.tiles });
  process.stdout.write(
    `check:report: ${res.svgCount}/${res.expectedSvgs} charts rendered; screenshot ${res.png} ${res.width}×${res.height}, ` +
      `${(res.inked * 100).toFixed(1)} % inked, ${(res.coloured * 100).toFixed(2)} % coloured\n`,
  );
  if (res.pngs.length > 1) process.stdout.write(`check:report: ${res.pngs.length - 1} more screenshot(s) down the page: ${res.pngs.slice(1).join(', ')}\n`);
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
