import { Environment, Resource, Prng, type ProcessGen } from '../../backends/model/sim/index.js';

/** Closed forms for the validation tests (Kleinrock, Queueing Systems Vol. 1, 1975, §5.7, §3.5). */
export const closedForm = {
  /** M/G/1 mean wait in queue (Pollaczek–Khinchine): λ·E[S²] / (2(1−ρ)), ρ = λ·E[S]. */
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
  /** Mean time from arrival to start of service, model ns. */
  meanWait: number;
  /** Busy server time / (c × time from first arrival to the end of the run). */
  utilization: number;
  events: number;
}

/**
 * Simulates an open queue with Poisson arrivals (rate `lambda` per ns) and `c` FIFO servers
 * (a Resource); each customer is a process: arrive, request a server, hold it for a service
 * time, release. Arrival and service draws come from separate streams of one seed.
 */
export function simulateQueue(opts: {
  seed: number;
  lambda: number;
  c: number;
  customers: number;
  /** Service time in ns (rounded to whole ns by the caller's model). */
  service: (rng: Prng) => number;
}): QueueRun {
  const env = new Environment();
  const servers = new Resource(env, opts.c, 'servers');
  const arrivals = new Prng(opts.seed, 'arrivals');
  const services = new Prng(opts.seed, 'service');
  let waitSum = 0;
  let busy = 0;
  let firstArrival = -1;

  function* customer(): ProcessGen<void> {
    const arrived = env.now;
    if (firstArrival < 0) firstArrival = arrived;
    yield servers.request();
    waitSum += env.now - arrived;
    const s = Math.round(opts.service(services));
    busy += s;
    yield env.timeout(s);
    servers.release();
  }
  function* source(): ProcessGen<void> {
    for (let i = 0; i < opts.customers; i++) {
      yield env.timeout(Math.round(arrivals.exponential(opts.lambda)));
      env.process(customer(), 'customer');
    }
  }
  env.process(source(), 'source');
  env.run();
  return {
    meanWait: waitSum / opts.customers,
    utilization: busy / (opts.c * (env.now - firstArrival)),
    events: env.eventsProcessed,
  };
}
