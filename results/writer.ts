/**
 * The writer of one run's results file. Exactly one run owns a results file while it runs:
 *
 * - **One writer.** A lock file `.NAME.lock` next to the results file is created exclusively
 *   (O_EXCL) before any case runs and holds the owner's pid; a second run on the same file is
 *   refused (exit 2). A lock whose process is gone (a run killed with -9) is taken over.
 * - **The previous file stays intact until the new one is complete.** Rows are appended as
 *   cases finish to a private file `NAME.RUN_ID.partial.csv` next to the target, never to the
 *   target; at the end the target is replaced in one rename (common/atomic-write.ts).
 * - **An interrupt keeps every finished row.** Interrupted, the finished rows are written in
 *   plan order to the target if there was no file there before, otherwise they stay in the
 *   partial file (its name is printed); their run_id ends in `+partial`, so `merge` can refuse
 *   to mix them with other runs. After kill -9 the partial file holds the rows that finished.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OutputError, ensureDir, errnoReason, writeFileAtomic } from '../common/atomic-write.js';
import { csvChunks, rowsToCsv } from './csv.js';
import type { Row } from './schema.js';

/** run_id suffix of rows of a run that did not finish. */
export const PARTIAL_SUFFIX = '+partial';

export function isPartialRunId(runId: string): boolean {
  return runId.endsWith(PARTIAL_SUFFIX);
}

/** The lock file that marks `file` as being written by one run. */
export function lockPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLockPid(lock: string): number | undefined {
  try {
    const m = /^(\d+)/.exec(fs.readFileSync(lock, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Throws OutputError when a live run holds the lock of `file` (for commands that write results files). */
export function refuseIfLocked(file: string, flag?: string): void {
  const pid = readLockPid(lockPath(file));
  if (pid !== undefined && pid !== process.pid && alive(pid)) {
    throw new OutputError(file, `is being written by another eaddbench run (pid ${pid}, lock ${lockPath(file)}); wait for it or choose another file`, flag);
  }
}

/** Takes the lock of `file` for this process, or throws OutputError naming the owner. */
function takeLock(file: string, runId: string, flag: string | undefined): string {
  const lock = lockPath(file);
  ensureDir(path.dirname(file), flag);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid} ${runId}\n`);
      fs.closeSync(fd);
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(file, `cannot take the lock ${lock}: ${errnoReason(err)}`, flag);
    }
    const pid = readLockPid(lock);
    if (pid !== undefined && alive(pid)) {
      throw new OutputError(file, `is being written by another eaddbench run (pid ${pid}, lock ${lock}); wait for it or choose another --out`, flag);
    }
    // A stale lock (its run was killed): take it over.
    fs.rmSync(lock, { force: true });
  }
  throw new OutputError(file, `another run took the lock ${lock} at the same moment; try again`, flag);
}

export interface Finished {
  /** The file that holds the rows. */
  readonly file: string;
  /** Rows in that file (as written). */
  readonly rows: number;
  /** True when the rows went to the partial file because a previous results file exists. */
  readonly kept: boolean;
}

export class ResultsWriter {
  readonly partial: string;
  private readonly lock: string;
  private readonly existed: boolean;
  private started = false;
  private appended = 0;
  private closed = false;
  private readonly onExit = () => this.release();

  /** Takes ownership of `file` (see the module comment); throws OutputError if another run has it. */
  constructor(
    readonly file: string,
    readonly runId: string,
    private readonly flag?: string,
  ) {
    this.lock = takeLock(file, runId, flag);
    this.existed = fs.existsSync(file);
    const stem = path.basename(file).replace(/\.csv$/, '');
    this.partial = path.join(path.dirname(file), `${stem}.${runId}.partial.csv`);
    process.on('exit', this.onExit);
  }

  /** Appends the rows of a finished case to the private partial file. */
  append(rows: readonly Row[]): void {
    const marked = rows.map((r) => ({ ...r, run_id: this.runId + PARTIAL_SUFFIX }));
    try {
      if (!this.started) {
        fs.writeFileSync(this.partial, rowsToCsv([], true), { flag: 'wx' });
        this.started = true;
      }
      fs.appendFileSync(this.partial, rowsToCsv(marked, false));
    } catch (err) {
      throw new OutputError(this.partial, `cannot append results: ${errnoReason(err)}`, this.flag);
    }
    this.appended += rows.length;
  }

  /** Rows appended so far. */
  get rowCount(): number {
    return this.appended;
  }

  /** The run finished: the target becomes exactly these rows (plan order), in one rename. */
  finish(rows: readonly Row[]): Finished {
    writeFileAtomic(this.file, csvChunks(rows), this.flag === undefined ? {} : { flag: this.flag });
    fs.rmSync(this.partial, { force: true });
    this.release();
    return { file: this.file, rows: rows.length, kept: false };
  }

  /**
   * The run was interrupted: the finished rows (plan order, run_id marked partial) go to the
   * target when no results file was there before, otherwise they stay in the partial file.
   */
  interrupt(rows: readonly Row[]): Finished {
    const marked = rows.map((r) => ({ ...r, run_id: this.runId + PARTIAL_SUFFIX }));
    const target = this.existed ? this.partial : this.file;
    if (rows.length === 0 && this.existed) {
      fs.rmSync(this.partial, { force: true });
      this.release();
      return { file: this.file, rows: 0, kept: true };
    }
    writeFileAtomic(target, csvChunks(marked), this.flag === undefined ? {} : { flag: this.flag });
    if (target !== this.partial) fs.rmSync(this.partial, { force: true });
    this.release();
    return { file: target, rows: rows.length, kept: this.existed };
  }

  /** Gives the file up without writing it (a failure before any row); removes the partial file. */
  abandon(): void {
    if (this.appended === 0) fs.rmSync(this.partial, { force: true });
    this.release();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    process.off('exit', this.onExit);
    if (readLockPid(this.lock) === process.pid) fs.rmSync(this.lock, { force: true });
  }
}
