import type { Command } from '../command.js';
import type { ResultFile } from '../../reports/read.js';
import { DEFAULT_COMPARE, compareRows, formatText, hasRegression, toJson } from '../../reports/compare.js';
import { parseFileCommand, parsePercent, parsePositiveInt } from '../../reports/args.js';
import { versionNote } from '../../reports/read.js';
import { withDefaultParams } from '../../reports/param-defaults.js';

const HELP = `eaddbench compare BASE.csv NEW.csv [options]

Compares two results files metric by metric. Rows are matched on (backend, design, workload,
profile, params, metric); seeds and repeats are the samples of a metric. Only the nominal
profile (draw 0) is compared: rows of other cost draws (run --draws) are left out.

  model-clock rows   deterministic: a change of the median beyond --threshold in the metric's
                     bad direction is a regression
  wall-clock rows    a bootstrap 95 % interval of the change in the median and a Mann–Whitney
                     rank test: regressed or improved only when p < 0.05 and the whole interval
                     lies beyond --noise (criterion.rs' rule); otherwise within noise

Each line shows [lower estimate upper] of the relative change. Which way is better comes from
the results schema (docs/results.md). A row written before its workload gained a parameter does
not name it; it ran with that parameter's default and is compared as such (said on stderr).

Options:
  --threshold PCT   model-clock threshold in percent (default 1)
  --noise PCT       wall-clock noise threshold in percent (default 5)
  --resamples N     bootstrap resamples (default 10000)
  --json            print one JSON object with per-metric verdicts instead of text

Exit status: 0 no regression; 1 a metric regressed or a case now fails; 2 bad input.

Example:
  eaddbench compare results/baselines/ci.csv results/latest.csv --threshold 2
`;

export const command: Command = {
  name: 'compare',
  summary: 'compare two results files; exit 1 on a regression',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, inputs } = parseFileCommand(
      'compare',
      argv,
      { threshold: { type: 'string' }, noise: { type: 'string' }, resamples: { type: 'string' }, json: { type: 'boolean', default: false } },
      { min: 2, max: 2, what: 'two files, BASE.csv and NEW.csv' },
    );
    const options = {
      ...DEFAULT_COMPARE,
      threshold: values.threshold !== undefined ? parsePercent('threshold', values.threshold) : DEFAULT_COMPARE.threshold,
      noise: values.noise !== undefined ? parsePercent('noise', values.noise) : DEFAULT_COMPARE.noise,
      resamples: values.resamples !== undefined ? parsePositiveInt('resamples', values.resamples, 1_000_000) : DEFAULT_COMPARE.resamples,
    };
    const [baseFile, nextFile] = inputs as [ResultFile, ResultFile];
    const base = withDefaultParams(baseFile.rows);
    const next = withDefaultParams(nextFile.rows);
    const result = compareRows(base.rows, next.rows, options);
    process.stderr.write(`eaddbench: read ${versionNote(inputs)}; compared draw 0 (the nominal profile)\n`);
    for (const [file, f] of [
      [baseFile, base],
      [nextFile, next],
    ] as const)
      if (f.filled.length > 0)
        process.stderr.write(
          `eaddbench: ${file.path}: rows that do not name a parameter their workload has now were compared with its default (${f.filled.join(', ')})\n`,
        );
    process.stdout.write(values.json ? toJson(result) : formatText(result));
    return hasRegression(result) ? 1 : 0;
  },
};
