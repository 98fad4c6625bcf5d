/**
 * The seeded 32-bit PRNG shared by workloads (arrival times), reports (bootstrap) and the
 * hardware backend (background threads): mulberry32, the same stream on every machine for the
 * same seed. The simulation core keeps its own forkable xoshiro128** streams
 * (backends/model/sim/prng.ts), which sub-streams per process need.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
