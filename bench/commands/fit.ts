/** eaddbench fit: fit a profile's costs to published observations and write the fitted profile. */
import { availableParallelism } from 'node:os';
import { checkOutputFile, writeFileAtomic } from '../../common/atomic-write.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { listProfiles, loadProfile, ProfileError, validateProfile } from '../../backends/model/profiles.js';
import { readObservations } from '../fit/observations.js';
import { fitProfile, type FitReport } from '../fit/fit.js';

const HELP = `eaddbench fit --profile NAME|FILE --observations FILE.csv --out FILE.json [options]

Fits the profile's costs to published measurements: minimises the weighted squared log error
of model against observation (weight 1 / ln(1 + the row's rel_uncertainty)), each cost in log
space, bounded by its range low..high, with a pull to its prior value (--prior-weight units of
residual per half log-width of its range; default 1). Prints, for every observation, the
measured value, the model before and after (model clock) and the error; a leave-one-out
prediction (one Gauss–Newton step from the fit without that observation, then the model); the
fitted costs with their range (±2σ of the fit, within the prior range); and the costs the data
see only together, reported as one combined figure. The written profile marks fitted costs with grade
"fitted", that range, and a source naming the observations.

Observations: a CSV with columns id, source, machine, profile, workload, design, params, metric,
value, unit, rel_uncertainty, role, mapping (docs/validation.md). Rows with role "fit" are
fitted to; rows with role "check" are only compared with the model before and after the fit
(their leave-one-out figure is the fit's prediction). A results CSV of the sgx backend
(eaddbench run --backend sgx --out FILE.csv) is read as observations too: each case's time
medians (*_p50, per_page_time; unit ns), the median over repeats, their half-range as the
uncertainty (at least 2 %; 10 % for one repeat); the model runs the same case, for the
profile given. The shipped calibration set is backends/model/calibration/observations.csv. A
row applies to the profile it names; a profile called NAME-priors is fitted against the rows
for NAME.

Options:
  --profile NAME|FILE   the profile to start from (its values are the priors)
  --observations FILE   the observations CSV (or an sgx results CSV)
  --out FILE.json       where to write the fitted profile (temp file, then renamed)
  --free a,b,...        costs to fit (default: every cost graded UNCONFIRMED or low that the
                        observations move)
  --prior-weight W      strength of the pull to the priors, a number in 0.01..100 (default 1;
                        0.01: nearly the data alone; compare the two to see how much of a
                        result the priors hold up)
  --name NAME           name of the written profile (default: the profile's name without -priors)
  --workers N           pool threads for the model runs (default: one per CPU, here ${availableParallelism()})
  --json                print the report as JSON instead of tables

Exit status: 0 fitted; 1 the fit cannot improve (no free cost moves any observation) or a model
run failed; 2 bad usage or input (the message names the file and line).

Example:
  eaddbench fit --profile skylake-client-priors --observations backends/model/calibration/observations.csv --out fitted.json
`;

export const command: Command = {
  name: 'fit',
  summary: "fit a profile's costs to published observations (residuals, leave-one-out); write the fitted profile",
  help: HELP,
  async run(argv): Promise<number> {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        profile: { type: 'string' },
        observations: { type: 'string' },
        out: { type: 'string' },
        free: { type: 'string' },
        name: { type: 'string' },
        'prior-weight': { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (values.profile === undefined) throw new UsageError('fit needs --profile NAME|FILE (the priors to start from)');
    if (values.observations === undefined)
      throw new UsageError('fit needs --observations FILE.csv (backends/model/calibration/observations.csv is the shipped set)');
    if (values.out === undefined) throw new UsageError('fit needs --out FILE.json');
    if (!values.out.endsWith('.json')) throw new UsageError(`--out '${values.out}' must name a .json file`);
    checkOutputFile(values.out, '--out');
    const workers = values.workers === undefined ? availableParallelism() : Number(values.workers);
    if (values.workers !== undefined && (!/^\d+$/.test(values.workers) || workers < 1 || workers > 256))
      throw new UsageError(`--workers must be an integer in 1..256, got '${values.workers}'`);
    const pw = values['prior-weight'];
    const priorWeight = pw === undefined ? 1 : Number(pw);
    // Above 0: with no pull at all the costs the data do not see make JᵀJ singular (no ranges, no leave-one-out).
    if (pw !== undefined && (!/^\d+(\.\d+)?$/.test(pw) || priorWeight < 0.01 || priorWeight > 100))
      throw new UsageError(`--prior-weight must be a number in 0.01..100, got '${pw}'`);
    let profile: ReturnType<typeof loadProfile>;
    try {
      profile = loadProfile(values.profile);
    } catch (err) {
      if (err instanceof ProfileError) throw new UsageError(`--profile: ${err.message}`);
      throw err;
    }
    const family = profile.name.replace(/-priors$/, '');
    const known = [...new Set([...listProfiles().map((p) => p.name), profile.name, family])];
    const all = readObservations(values.observations, known, family);
    const observations = all.filter((o) => o.profile === profile.name || o.profile === family);
    if (observations.length === 0) throw new UsageError(`--observations ${values.observations}: no row names profile '${profile.name}' or '${family}'`);
    const free =
      values.free === undefined
        ? undefined
        : values.free
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    if (free !== undefined && free.length === 0) throw new UsageError('--free names no cost');
    const t0 = performance.now();
    const report = await fitProfile({
      profileName: profile.name,
      data: profile.data,
      observations,
      free,
      workers,
      observationsFile: values.observations,
      priorWeight,
    });
    const wallMs = performance.now() - t0;
    const name = values.name ?? family;
    const out = {
      ...report.profile,
      name,
      description: `${String(profile.data['description']).replace(/ \(priors\)$/, '')}; costs fitted by eaddbench fit to ${observations.length} observations (${values.observations})`,
    };
    validateProfile(values.out, out);
    writeFileAtomic(values.out, JSON.stringify(out, null, 2) + '\n', { flag: '--out' });
    if (values.json) process.stdout.write(JSON.stringify({ ...report, profile: undefined, wall_ms: Math.round(wallMs), out: values.out }, null, 2) + '\n');
    else process.stdout.write(formatReport(report, wallMs, values.out));
    return 0;
  },
};

const pct = (e: number): string => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)} %`;
const num = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export function formatReport(r: FitReport, wallMs: number, out: string): string {
  let s = `Observations (model clock; measured values as published):\n`;
  s += table(
    ['observation', 'role', 'unit', 'measured', 'model before', 'error', 'model after', 'error', 'leave-one-out', 'error', '±'],
    r.rows.map((x) => [
      x.id,
      x.role,
      x.unit,
      num(x.measured),
      num(x.before),
      pct(x.errorBefore),
      num(x.after),
      pct(x.errorAfter),
      num(x.loo),
      pct(x.errorLoo),
      `${(x.relUncertainty * 100).toFixed(0)} %`,
    ]),
  );
  s += `\nFitted costs (ns; range ±2σ of the fit within the prior range):\n`;
  s += table(
    ['cost', 'prior', 'fitted', 'low', 'high'],
    r.costs.map((c) => [c.cost, num(c.prior), num(c.fitted), num(c.low), num(c.high)]),
  );
  if (r.combined.length > 0) {
    s += `\nCosts the data see only together (only their sum is determined; the split between them follows the priors, not the data):\n`;
    for (const g of r.combined) s += `  ${g.costs.join(' + ')} = ${num(g.fittedSum)} ns (prior ${num(g.priorSum)} ns)\n`;
  }
  s += `\nfit: ${r.free.length} costs, prior weight ${r.priorWeight}, ${r.iterations} iterations, ${r.modelRuns} model runs, ${(wallMs / 1000).toFixed(1)} s wall → ${out}\n`;
  return s;
}
