import type { Environment } from './env.js';
import type { Process } from './process.js';

/** Something a process can block on, with the processes that must act to release it. */
export interface Waitable {
  readonly name: string;
  holders(): Iterable<Process>;
  /**
   * Optional: how `p` holds this waitable, for deadlock messages, e.g. "holds
   * mmap_sem(mm1) [write]". Default: "holds <name>".
   */
  holdPhrase?(p: Process): string;
}

/**
 * Told when a lock's hold is taken (`taken` true) or released, with the holding process (null:
 * none active) and the mode. A lock calls it only when one is set (traces, kernel/holds.ts).
 */
export type HoldHook = (p: Process | null, mode: 'read' | 'write' | 'lock', taken: boolean) => void;

/** One edge of a reported cycle: `process` waits for `waitsFor` (as `what`), held by `heldBy`. */
export interface WaitEdge {
  process: string;
  waitsFor: string;
  what: string;
  heldBy: string[];
}

/** Thrown by Environment.run() when processes wait for each other in a cycle. */
export class DeadlockError extends Error {
  readonly cycle: WaitEdge[];
  /** Model time (ns) at which the cycle was found. */
  readonly at: number;
  constructor(cycle: WaitEdge[], message: string, at: number) {
    super(message);
    this.name = 'DeadlockError';
    this.cycle = cycle;
    this.at = at;
  }
}

function phraseFor(w: Waitable, p: Process): string {
  return w.holdPhrase !== undefined ? w.holdPhrase(p) : `holds ${w.name}`;
}

/**
 * "Wait for process p to finish" (e.g. flush_work on a worker) as a Waitable: its only
 * holder is p while p is alive. The object is cached per process so repeated calls agree.
 */
export function processWaitable(p: Process, name?: string): Waitable {
  if (name === undefined && p._finishWaitable !== null) return p._finishWaitable;
  const w: Waitable = {
    name: name ?? `process ${p.name}`,
    holders: () => (p.isAlive ? [p] : []),
    holdPhrase: () => `has not finished (${w.name})`,
  };
  if (name === undefined) p._finishWaitable = w;
  return w;
}

/**
 * The wait-for graph: process → waitable it is blocked on → processes holding it → ...
 * Edges live on the Process objects (O(1) block/unblock); the set lists blocked processes.
 * A cycle check (DFS from the blocking process) runs on every block(), so a deadlock stops
 * the run even when unrelated background activity would keep the event heap busy forever.
 */
export class WaitForGraph {
  private readonly env: Environment;
  // Blocked processes in block order, as an intrusive doubly linked list through the
  // Process objects: block/unblock are O(1) without hashing.
  private head: Process | null = null;
  private tail: Process | null = null;

  constructor(env: Environment) {
    this.env = env;
  }

  /** Records p → on. On a cycle through p, the environment stops and run() throws DeadlockError. */
  block(p: Process, on: Waitable, what: string): void {
    if (p._waitOn !== null) this.unblock(p); // re-blocking moves p to the end of the list
    p._waitOn = on;
    p._waitWhat = what;
    p._blockedPrev = this.tail;
    p._blockedNext = null;
    if (this.tail !== null) this.tail._blockedNext = p;
    else this.head = p;
    this.tail = p;
    // Fast path: a cycle through p needs a holder that is p itself or is blocked too.
    let suspect = false;
    for (const h of on.holders()) {
      if (h === p || h._waitOn !== null) {
        suspect = true;
        break;
      }
    }
    if (!suspect) return;
    const err = this.findCycleFrom(p);
    if (err !== null) this.env._deadlocked(err);
  }

  unblock(p: Process): void {
    if (p._waitOn === null) return;
    p._waitOn = null;
    p._waitWhat = '';
    const prev = p._blockedPrev;
    const next = p._blockedNext;
    if (prev !== null) prev._blockedNext = next;
    else this.head = next;
    if (next !== null) next._blockedPrev = prev;
    else this.tail = prev;
    p._blockedPrev = null;
    p._blockedNext = null;
  }

  waitingOn(p: Process): Waitable | undefined {
    return p._waitOn ?? undefined;
  }

  /** Processes currently blocked on a waitable, oldest block first. */
  blocked(): Process[] {
    const out: Process[] = [];
    for (let p = this.head; p !== null; p = p._blockedNext) out.push(p);
    return out;
  }

  /** Edges of all blocked processes (for reporting a stuck run that is not a cycle). */
  edges(): WaitEdge[] {
    return this.blocked().map((p) => edgeOf(p));
  }

  /** Searches for a cycle reachable from any blocked process. */
  findAnyCycle(): DeadlockError | null {
    for (const p of this.blocked()) {
      const err = this.findCycleFrom(p);
      if (err !== null) return err;
    }
    return null;
  }

  /** DFS along process → waitable → holders; returns the first cycle reachable from start. */
  findCycleFrom(start: Process): DeadlockError | null {
    const path: Process[] = [];
    const onPath = new Set<Process>();
    const done = new Set<Process>();
    const dfs = (p: Process): Process[] | null => {
      const w = p._waitOn;
      if (w === null) return null;
      path.push(p);
      onPath.add(p);
      for (const h of w.holders()) {
        if (onPath.has(h)) return path.slice(path.indexOf(h));
        if (!done.has(h)) {
          const c = dfs(h);
          if (c !== null) return c;
        }
      }
      path.pop();
      onPath.delete(p);
      done.add(p);
      return null;
    };
    const cycle = dfs(start);
    return cycle === null ? null : describe(cycle, this.env.now);
  }
}

function edgeOf(p: Process): WaitEdge {
  const w = p._waitOn as Waitable;
  return { process: p.name, waitsFor: w.name, what: p._waitWhat, heldBy: [...w.holders()].map((h) => h.name) };
}

function describe(cycle: Process[], now: number): DeadlockError {
  const edges = cycle.map(edgeOf);
  const parts = cycle.map((p, i) => {
    // p holds what the previous process in the cycle waits for.
    const prev = cycle[(i + cycle.length - 1) % cycle.length] as Process;
    const held = prev._waitOn as Waitable;
    const w = p._waitOn as Waitable;
    return `${p.name} ${phraseFor(held, p)} and waits for ${w.name} [${p._waitWhat}]`;
  });
  return new DeadlockError(edges, `deadlock at t=${now} ns (model): ${parts.join('; ')}`, now);
}
