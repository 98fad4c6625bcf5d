/**
 * `eaddbench fit`: fits a profile's costs to observations (observations.ts) by minimising the
 * weighted squared log error of model against observation, each cost in log space and bounded
 * by its range, with a pull towards the prior (`priorWeight` units of residual per half log-width
 * of its range; default 1) so that costs the data cannot tell apart stay in their priors'
 * proportions. Every model run of one step goes through the piscina pool at once. Reports
 * residuals before and after, a leave-one-out prediction per observation, and the costs the
 * data only see together.
 */
import type { CaseSpec, ProfileData } from '../../backends/types.js';
import { COST_FIELDS } from '../../backends/model/profiles.js';
import { withCosts, type CostVector } from '../../backends/model/draws.js';
import { CheckFailed, UsageError } from '../errors.js';
import { runPool } from '../pool.js';
import { formatParams } from '../params.js';
import { levenbergMarquardt, normal, solve } from './least-squares.js';
import type { Observation } from './observations.js';

type CostDoc = { value: number; low: number; high: number; unit: string; source: string; grade: string };

export interface FitInput {
  readonly profileName: string;
  readonly data: ProfileData;
  readonly observations: readonly Observation[];
  /** Costs to fit; undefined: every UNCONFIRMED or low cost the observations move. */
  readonly free: readonly string[] | undefined;
  readonly workers: number;
  readonly observationsFile: string;
  /** Strength of the pull towards the priors (1: one unit of residual per half log-width of a cost's range; > 0). */
  readonly priorWeight?: number;
}

export interface ResidualRow {
  readonly id: string;
  readonly measured: number;
  readonly unit: string;
  readonly before: number;
  readonly after: number;
  readonly errorBefore: number;
  readonly errorAfter: number;
  /** Leave-one-out: the prediction of a fit without this observation, and its error. */
  readonly loo: number;
  readonly errorLoo: number;
  readonly relUncertainty: number;
  /** `check` rows are compared, not fitted to: their leave-one-out figure is the fit's own prediction. */
  readonly role: Observation['role'];
}

export interface FittedCost {
  readonly cost: string;
  readonly prior: number;
  readonly fitted: number;
  readonly low: number;
  readonly high: number;
  /** Other costs the data see only together with this one (same group), or empty. */
  readonly group: readonly string[];
}

export interface FitReport {
  readonly free: readonly string[];
  readonly rows: readonly ResidualRow[];
  readonly costs: readonly FittedCost[];
  /** Groups of free costs the data cannot separate: only their sum is determined. */
  readonly combined: readonly { readonly costs: readonly string[]; readonly priorSum: number; readonly fittedSum: number }[];
  readonly iterations: number;
  readonly modelRuns: number;
  /** The pull towards the priors the fit used (FitInput.priorWeight). */
  readonly priorWeight: number;
  readonly profile: ProfileData;
}

const H = 0.05; // finite-difference step in ln(cost)
const MOVES = 0.01; // an elasticity below this on every observation: the data do not move the cost

export async function fitProfile(input: FitInput): Promise<FitReport> {
  const costs = input.data['costs'] as Record<string, CostDoc>;
  const names: readonly string[] = COST_FIELDS.map((d) => d.key);
  // Only `fit` rows enter the objective; `check` rows are run before and after (observations.ts).
  const obs = input.observations.filter((o) => o.role === 'fit');
  const checks = input.observations.filter((o) => o.role === 'check');
  let runs = 0;

  /** Model values of every observation for each cost vector (one pool run for all; each vector once). */
  const memo = new Map<string, number[]>();
  const keyOf = (v: CostVector): string => names.map((c) => (v[c] ?? costs[c]!.value).toPrecision(10)).join(',');
  const evaluate = async (vectors: readonly CostVector[]): Promise<number[][]> => {
    const todo = [...new Map(vectors.filter((v) => !memo.has(keyOf(v))).map((v) => [keyOf(v), v])).values()];
    const fresh = await evaluateNew(todo);
    todo.forEach((v, i) => memo.set(keyOf(v), fresh[i]!));
    return vectors.map((v) => memo.get(keyOf(v))!);
  };
  const evaluateNew = (vectors: readonly CostVector[]): Promise<number[][]> => runSet(vectors, obs);
  /** Model values of the observations `set` for each cost vector (one pool run). */
  const runSet = async (vectors: readonly CostVector[], set: readonly Observation[]): Promise<number[][]> => {
    if (vectors.length === 0) return [];
    const specs: CaseSpec[] = [];
    const where: [number, number, number][] = [];
    vectors.forEach((v, vi) => {
      const data = withCosts(input.data, v);
      set.forEach((o, oi) =>
        o.points.forEach((params, pi) => {
          specs.push({
            caseId: `fit-${o.id}-${pi}`,
            backend: 'model',
            design: o.design,
            knobs: o.knobs,
            workload: o.workload,
            profile: input.profileName,
            profileData: data,
            params,
            seed: 1,
            repeat: 0,
            options: {},
          });
          where.push([vi, oi, pi]);
        }),
      );
    });
    const values = vectors.map(() => set.map((o) => o.points.map(() => NaN)));
    const failures: string[] = [];
    const pool = runPool(specs, input.workers, (i, result) => {
      const [vi, oi, pi] = where[i]!;
      const o = set[oi]!;
      const m = result.outcome === 'ok' ? result.metrics.find((x) => x.metric === o.metric) : undefined;
      if (m === undefined)
        failures.push(
          `observation '${o.id}' (line ${o.line}): the model run ${formatParams(specs[i]!.params)} gave ${result.outcome === 'ok' ? `no ${o.metric}` : `${result.outcome}: ${result.detail}`}`,
        );
      else values[vi]![oi]![pi] = m.value;
    });
    await pool.done;
    runs += specs.length;
    if (failures.length > 0) throw new CheckFailed(`fit: ${failures[0]}`);
    return values.map((per) => per.map((pts, oi) => (set[oi]!.slopePages !== undefined ? (pts[1]! - pts[0]!) / set[oi]!.slopePages! : pts[0]!)));
  };

  const vectorOf = (free: readonly string[], x: readonly number[]): CostVector => {
    const v: Record<string, number> = {};
    // exp(ln c) may land an ulp outside the range: clamp to it.
    free.forEach((c, i) => (v[c] = Math.min(costs[c]!.high, Math.max(costs[c]!.low, Math.exp(x[i]!)))));
    return v;
  };

  // Which costs do the observations move? One batch: the prior and each cost stepped up.
  const candidates = input.free ?? names.filter((c) => costs[c]!.grade === 'UNCONFIRMED' || costs[c]!.grade === 'low');
  for (const c of candidates) if (!names.includes(c)) throw new UsageError(`--free: unknown cost '${c}'; valid: ${names.join(', ')}`);
  // Step up, or down when up would leave the cost's range.
  const probeStep = candidates.map((c) => (costs[c]!.value * Math.exp(H) <= costs[c]!.high ? H : -H));
  const probe = await evaluate([{}, ...candidates.map((c, k) => ({ [c]: costs[c]!.value * Math.exp(probeStep[k]!) }))]);
  const base = probe[0]!;
  const elasticity = candidates.map((_, k) => obs.map((_o, j) => (Math.log(probe[k + 1]![j]!) - Math.log(base[j]!)) / probeStep[k]!));
  const free = candidates.filter((_, k) => elasticity[k]!.some((e) => Math.abs(e) >= MOVES));
  if (free.length === 0) {
    throw new CheckFailed(
      `fit cannot improve: no free cost (${candidates.join(', ') || 'none'}) moves any observation by ${MOVES * 100} % of a ${H * 100} % step`,
    );
  }
  const lo = free.map((c) => Math.log(Math.max(costs[c]!.low, 1e-3)));
  const hi = free.map((c) => Math.log(Math.max(costs[c]!.high, 1e-3)));
  const x0 = free.map((c) => Math.log(Math.max(costs[c]!.value, 1e-3)));
  // The pull towards the prior: weight w per half log-width of the range.
  const w = input.priorWeight ?? 1;
  const pull = free.map((_, i) => w / Math.max((hi[i]! - lo[i]!) / 2, 1e-3));
  const sigma = obs.map((o) => Math.log(1 + o.relUncertainty));

  const residualsFrom = (x: readonly number[], model: readonly number[], drop = -1): number[] => [
    ...obs.map((o, j) => (j === drop ? 0 : (Math.log(model[j]!) - Math.log(o.value)) / sigma[j]!)),
    ...x.map((v, i) => (v - x0[i]!) * pull[i]!),
  ];
  const jacobian = async (x: readonly number[]): Promise<{ model: number[]; dm: number[][] }> => {
    const steps = x.map((v, i) => (v + H <= hi[i]! ? H : -H));
    const vals = await evaluate([
      vectorOf(free, x),
      ...x.map((_, i) =>
        vectorOf(
          free,
          x.map((v, k) => (k === i ? v + steps[i]! : v)),
        ),
      ),
    ]);
    const model = vals[0]!;
    // d ln(model_j) / d x_i
    const dm = obs.map((_, j) => x.map((_v, i) => (Math.log(vals[i + 1]![j]!) - Math.log(model[j]!)) / steps[i]!));
    return { model, dm };
  };
  const fullJ = (dm: readonly (readonly number[])[], drop = -1): number[][] => [
    ...dm.map((row, j) => row.map((d) => (j === drop ? 0 : d / sigma[j]!))),
    ...free.map((_, i) => free.map((_c, k) => (k === i ? pull[i]! : 0))),
  ];

  let last: { x: number[]; model: number[]; dm: number[][] } = { x: x0, model: base, dm: [] };
  const result = await levenbergMarquardt(
    {
      lo,
      hi,
      async residualsAndJacobian(x) {
        const { model, dm } = await jacobian(x);
        last = { x: [...x], model, dm };
        return { r: residualsFrom(x, model), J: fullJ(dm) };
      },
      async residuals(xs) {
        const vals = await evaluate(xs.map((x) => vectorOf(free, x)));
        return vals.map((m, k) => residualsFrom(xs[k]!, m));
      },
    },
    x0,
    { maxIterations: 20, tolerance: 1e-3, jacobianEvery: 3 },
  );
  const after = last.model;
  const x = result.x;

  // Leave-one-out: one Gauss–Newton step from the full fit without observation j, then the model.
  const looX = obs.map((_, j) => {
    const J = fullJ(last.dm, j);
    const r = residualsFrom(x, after, j);
    const { JtJ, Jtr } = normal(J, r);
    const d =
      solve(
        JtJ,
        Jtr.map((v) => -v),
      ) ?? x.map(() => 0);
    return x.map((v, i) => Math.min(hi[i]!, Math.max(lo[i]!, v + d[i]!)));
  });
  const looVals = await evaluate(looX.map((lx) => vectorOf(free, lx)));
  const [checkBefore, checkAfter] = checks.length > 0 ? await runSet([{}, vectorOf(free, x)], checks) : [[], []];

  // Spread of each fitted cost: the covariance (JᵀJ)⁻¹ of the full problem, ±2σ within its range.
  const { JtJ } = normal(fullJ(last.dm), residualsFrom(x, after));
  const sd = free.map((_, i) => {
    const e = free.map((_c, k) => (k === i ? 1 : 0));
    const col = solve(JtJ, e);
    return col ? Math.sqrt(Math.max(col[i]!, 0)) : hi[i]! - lo[i]!;
  });

  // Costs the data cannot separate: data-Jacobian columns pointing the same way (cosine > 0.95).
  const cols = free.map((_, i) => obs.map((_o, j) => last.dm[j]![i]! / sigma[j]!));
  const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  const parent = free.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < free.length; i++) {
    for (let k = i + 1; k < free.length; k++) {
      const ni = norm(cols[i]!);
      const nk = norm(cols[k]!);
      if (ni === 0 || nk === 0) continue;
      const cos = cols[i]!.reduce((s, a, j) => s + a * cols[k]![j]!, 0) / (ni * nk);
      if (cos > 0.95) parent[find(k)] = find(i);
    }
  }
  const groups = new Map<number, string[]>();
  free.forEach((c, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), c]));
  const groupOf = (c: string): string[] => [...groups.values()].find((g) => g.includes(c))!;

  const fitted: FittedCost[] = free.map((c, i) => ({
    cost: c,
    prior: costs[c]!.value,
    fitted: round4(Math.exp(x[i]!)),
    low: round4(Math.max(costs[c]!.low, Math.exp(x[i]! - 2 * sd[i]!))),
    high: round4(Math.min(costs[c]!.high, Math.exp(x[i]! + 2 * sd[i]!))),
    group: groupOf(c).filter((g) => g !== c),
  }));
  const combined = [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => ({
      costs: g,
      priorSum: g.reduce((s, c) => s + costs[c]!.value, 0),
      fittedSum: round4(g.reduce((s, c) => s + fitted.find((f) => f.cost === c)!.fitted, 0)),
    }));

  const ids = obs.map((o) => o.id).join(', ');
  const nextCosts: Record<string, CostDoc> = {};
  for (const [key, doc] of Object.entries(costs)) {
    const f = fitted.find((v) => v.cost === key);
    if (!f) {
      nextCosts[key] = doc;
      continue;
    }
    const together =
      f.group.length > 0 ? `; the data fix only the sum with ${f.group.join(', ')} (the split between them follows the priors, not the data)` : '';
    nextCosts[key] = {
      value: f.fitted,
      low: Math.min(f.low, f.fitted),
      high: Math.max(f.high, f.fitted),
      unit: 'ns',
      source: `fitted: ${input.observationsFile} (${ids}${checks.length > 0 ? `; compared, not fitted: ${checks.map((o) => o.id).join(', ')}` : ''}) by eaddbench fit${w === 1 ? '' : ` with prior weight ${w}`}${together}; prior ${doc.value} ns: ${doc.source}`,
      grade: 'fitted',
    };
  }
  const fitRows: ResidualRow[] = obs.map((o, j) => ({
    id: o.id,
    measured: o.value,
    unit: o.unit,
    before: base[j]!,
    after: after[j]!,
    errorBefore: base[j]! / o.value - 1,
    errorAfter: after[j]! / o.value - 1,
    loo: looVals[j]![j]!,
    errorLoo: looVals[j]![j]! / o.value - 1,
    relUncertainty: o.relUncertainty,
    role: o.role,
  }));
  const checkRows: ResidualRow[] = checks.map((o, j) => ({
    id: o.id,
    measured: o.value,
    unit: o.unit,
    before: checkBefore![j]!,
    after: checkAfter![j]!,
    errorBefore: checkBefore![j]! / o.value - 1,
    errorAfter: checkAfter![j]! / o.value - 1,
    loo: checkAfter![j]!,
    errorLoo: checkAfter![j]! / o.value - 1,
    relUncertainty: o.relUncertainty,
    role: o.role,
  }));
  // In the file's order.
  const rows = input.observations.map((o) => (o.role === 'fit' ? fitRows : checkRows).find((r) => r.id === o.id)!);
  return { free, rows, costs: fitted, combined, iterations: result.iterations, modelRuns: runs, priorWeight: w, profile: { ...input.data, costs: nextCosts } };
}

function round4(v: number): number {
  return Number(v.toPrecision(4));
}
