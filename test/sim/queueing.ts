import { Environment, Resource, Prng, type ProcessGen } from '../../backends/model/sim/index.js';

/** Closed forms for the validation tests (Kleinrock, Queueing Systems Vol. 1, 1975). */
export const closedForm = {
  /** M/G/1 mean wait in queue (Pollaczek–Khinchine): λ·E[S²] / (2(1−ρ)). */
  mg1Wq(lambda: number, meanS: number, secondMomentS: number): number {
    const rho = lambda * meanS;
    return (lambda * secondMomentS) / (2 * (1 - rho));
  },
  /** M/M/c mean wait in queue via Erlang C: C(c, a) / (cμ − λ), a = λ/μ. */
  mmcWq(lambda: number, mu: number, c: number): number {
    const a = lambda / mu;
    const rho = a / c;
    let sum = 0;
    let term = 1; // a^k / k!
    for (let k = 0; k < c; k++) {
      sum += term;
      term *= a / (k + 1);
    }
    const top = term / (1 - rho); // term is now a^c / c!
    const erlangC = top / (sum + top);
    return erlangC / (c * mu - lambda);
  },
};

export interface QueueRun {
  meanWait: number; // model ns
  utilization: number; // fraction of server capacity busy over the run
  customers: number;
  events: number;
  /** Realized inputs: arrival rate (per ns) and first two moments of the service times drawn. */
  lambdaHat: number;
  meanS: number;
  secondS: number;
}

/**
 * Simulates an open queue with Poisson arrivals (rate `lambda` per ns) and `c` FIFO servers
 * (a Resource), each customer a process: arrive, request, hold for a service time, release.
 */
export function simulateQueue(opts: {
  seed: number;
  lambda: number;
  c: number;
  customers: number;
  /** Service time in ns from a uniform u in (0, 1]. */
  service: (u: number) => number;
  /** Antithetic replica: every uniform u drawn is used as 1 − u (variance reduction). */
  antithetic?: boolean;
}): QueueRun {
  const env = new Environment();
  const servers = new Resource(env, opts.c, 'servers');
  const arrivals = new Prng(opts.seed, 'arrivals');
  const services = new Prng(opts.seed, 'service');
  // Uniform in (0, 1]; the antithetic replica maps u to 1 − u, which lies in [0, 1) instead,
  // so it is nudged away from 0 to keep −ln(u) finite (probability 2^−53 per draw).
  const uniform = opts.antithetic === true ? (g: Prng) => g.next() || Number.MIN_VALUE : (g: Prng) => 1 - g.next();
  let waitSum = 0;
  let busy = 0;
  let firstArrival = -1;
  let lastArrival = 0;
  let s2 = 0;

  function* customer(): ProcessGen<void> {
    const arrived = env.now;
    if (firstArrival < 0) firstArrival = arrived;
    lastArrival = arrived;
    yield servers.request();
    waitSum += env.now - arrived;
    const s = Math.round(opts.service(uniform(services)));
    busy += s;
    s2 += s * s;
    yield env.timeout(s);
    servers.release();
  }
  function* source(): ProcessGen<void> {
    for (let i = 0; i < opts.customers; i++) {
      yield env.timeout(Math.round(-Math.log(uniform(arrivals)) / opts.lambda));
      env.process(customer(), `c${i}`);
    }
  }
  env.process(source(), 'source');
  env.run();
  return {
    meanWait: waitSum / opts.customers,
    utilization: busy / (opts.c * (env.now - firstArrival)),
    customers: opts.customers,
    events: env.eventsProcessed,
    lambdaHat: (opts.customers - 1) / (lastArrival - firstArrival),
    meanS: busy / opts.customers,
    secondS: s2 / opts.customers,
  };
}
