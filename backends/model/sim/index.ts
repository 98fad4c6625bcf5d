// Public API of the simulation core (see docs/simulation-core.md).
export { Environment, StalledError, Event, Process, Interrupt, URGENT, NORMAL, type ProcessGen } from './env.js';
export { WaitForGraph, DeadlockError, processWaitable, type HoldHook, type Waitable, type WaitEdge } from './waitfor.js';
export { Mutex, Resource, Store } from './resources.js';
export { RwSemaphore } from './rwsem.js';
export { Prng } from './prng.js';
export { EventHeap } from './heap.js';
