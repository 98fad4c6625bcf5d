/** A simulated user thread: its task (CPU), process, mm and open enclave fds. */
import type { Process } from '../sim/index.js';
import type { Task } from '../kernel/cpus.js';
import type { Mm } from '../kernel/mm.js';

export interface Thread {
  readonly pid: number;
  readonly name: string;
  readonly task: Task;
  readonly mm: Mm;
  /** Enclave ids this process holds an fd for (fd binding). */
  readonly fds: Set<number>;
  proc: Process | null;
}

/** Result of one add ioctl. */
export interface IoctlResult {
  /** Pages accepted (queued or added). */
  readonly done: number;
  /** errno name, or '' on success. */
  readonly err: '' | 'EBUSY' | 'EINVAL' | 'ENOMEM' | 'EEXIST' | 'EINTR';
  /** The page was already added (mainline's EBUSY from xa_insert): retrying cannot help. */
  readonly duplicate?: boolean;
}
