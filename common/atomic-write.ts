/**
 * The one way eaddbench writes a file: checked before any work, then written whole or not at
 * all. A write goes to a private temporary file in the target's directory (so the rename cannot
 * cross file systems), is flushed with fsync, and is renamed over the target; on any failure the
 * temporary file is removed and the target is left as it was.
 *
 * Destinations are checked up front (`checkOutputFile`, `checkOutputDir`): the nearest existing
 * ancestor must be a directory we can write, the target must not be a directory or a special
 * file, and a probe file is created and removed in the nearest existing directory. Missing
 * directories are made at write time, one level at a time (never `mkdir -p`, which spins
 * forever under /proc on some kernels and Node versions).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** An output that cannot be written: names the path and the reason (a usage error, exit 2). */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly flag?: string,
  ) {
    super(`${flag ? `${flag} ` : ''}${path}: ${reason}`);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOENT: 'the directory cannot be created here',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'already exists',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
};

/** A short reason for an errno error. */
export function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return `${REASONS[code] ?? 'cannot write'} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/** File systems nothing is ever written to. */
const PSEUDO_ROOTS = ['/proc', '/sys'];

function pseudoRoot(abs: string): string | undefined {
  return PSEUDO_ROOTS.find((r) => abs === r || abs.startsWith(`${r}/`));
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isFile()) return 'a regular file';
  return 'not a regular file';
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined; // reported by the ancestor walk
    throw err;
  }
}

/** A private name in `dir` for a temporary file next to `base`. */
export function tempName(dir: string, base: string): string {
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Checks that `dir` exists and accepts new files, or can be created: the nearest existing
 * ancestor must be a directory in which a probe file can be created (and is removed again).
 * Creates nothing that stays.
 */
function checkDir(dir: string, shown: string, flag: string | undefined): void {
  const abs = path.resolve(dir);
  const root = pseudoRoot(abs);
  if (root !== undefined) throw new OutputError(shown, `is under ${root}, a kernel pseudo file system; results cannot be written there`, flag);
  let cur = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = lstatOrUndefined(cur);
    } catch (err) {
      throw new OutputError(shown, `cannot inspect ${cur}: ${errnoReason(err)}`, flag);
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new OutputError(shown, `${cur} is ${kindOf(st)}, not a directory`, flag);
      break;
    }
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  // The probe: the directory really accepts a new file (catches EROFS, EACCES, a full disk).
  const probe = tempName(cur, 'probe');
  try {
    fs.closeSync(fs.openSync(probe, 'wx', 0o600));
  } catch (err) {
    throw new OutputError(shown, `cannot write in ${cur}: ${errnoReason(err)}`, flag);
  }
  fs.rmSync(probe, { force: true });
}

/**
 * Creates the missing directories of `dir` one level at a time (never a recursive mkdir, which
 * can spin forever under /proc). Throws OutputError naming the level that failed.
 */
export function ensureDir(dir: string, flag?: string): void {
  const abs = path.resolve(dir);
  const root = pseudoRoot(abs);
  if (root !== undefined) throw new OutputError(dir, `is under ${root}, a kernel pseudo file system; results cannot be written there`, flag);
  const missing: string[] = [];
  for (let cur = abs; lstatOrUndefined(cur) === undefined; ) {
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw new OutputError(dir, `cannot create the directory ${d}: ${errnoReason(err)}`, flag);
    }
  }
}

function checkTarget(file: string, shown: string, flag: string | undefined): void {
  let st: fs.Stats | undefined;
  try {
    st = lstatOrUndefined(file);
  } catch (err) {
    throw new OutputError(shown, `cannot inspect: ${errnoReason(err)}`, flag);
  }
  if (st !== undefined && !st.isFile()) throw new OutputError(shown, `is ${kindOf(st)}; expected a regular file (or a path that does not exist yet)`, flag);
}

/**
 * Checks, before any work, that `file` can be written whole: its directory exists (or can be
 * created) and accepts files, and `file` is a regular file or absent. Throws OutputError.
 */
export function checkOutputFile(file: string, flag?: string): void {
  if (file === '') throw new OutputError("''", 'an empty path', flag);
  const root = pseudoRoot(path.resolve(file));
  if (root !== undefined) throw new OutputError(file, `is under ${root}, a kernel pseudo file system; results cannot be written there`, flag);
  checkTarget(file, file, flag);
  checkDir(path.dirname(file), file, flag);
}

/** Checks an output directory and the files that will be written in it (see checkOutputFile). */
export function checkOutputDir(dir: string, files: readonly string[], flag?: string): void {
  if (dir === '') throw new OutputError("''", 'an empty path', flag);
  for (const f of files) checkTarget(path.join(dir, f), path.join(dir, f), flag);
  checkDir(dir, dir, flag);
}

export interface WriteOptions {
  /** File mode of a new file (default 0o644). */
  readonly mode?: number;
  /** Names the flag in error messages (e.g. `--out`). */
  readonly flag?: string;
}

/**
 * Writes `data` to `file` whole or not at all: a private temporary file in the same directory,
 * fsync, rename. Chunks may be given as an iterable (written one by one, never joined in
 * memory). Throws OutputError naming the path and the reason; the target is then unchanged.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<string | Uint8Array>, opts: WriteOptions = {}): void {
  const dir = path.dirname(file);
  ensureDir(dir, opts.flag);
  const tmp = tempName(dir, path.basename(file));
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', opts.mode ?? 0o644);
    if (typeof data === 'string' || data instanceof Uint8Array) writeAll(fd, data);
    else for (const chunk of data) writeAll(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    const st = lstatOrUndefined(file);
    if (st !== undefined && !st.isFile()) throw Object.assign(new Error(`is ${kindOf(st)}`), { code: st.isDirectory() ? 'EISDIR' : 'EEXIST' });
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    fs.rmSync(tmp, { force: true });
    // Errors of the data source (a validating generator) pass through unchanged.
    if (err instanceof OutputError || typeof (err as NodeJS.ErrnoException | undefined)?.code !== 'string') throw err;
    throw new OutputError(file, `cannot write: ${errnoReason(err)}`, opts.flag);
  }
  syncDir(dir);
}

/**
 * Writes several files of one output (a report's Markdown and HTML): every temporary file is
 * written and flushed first, and only then are they renamed, so a full disk or a bad path
 * changes none of them.
 */
export function writeFilesAtomic(files: readonly { readonly file: string; readonly data: string | Uint8Array }[], opts: WriteOptions = {}): void {
  const temps: { tmp: string; file: string }[] = [];
  for (const dir of new Set(files.map((f) => path.dirname(f.file)))) ensureDir(dir, opts.flag);
  try {
    for (const f of files) {
      const tmp = tempName(path.dirname(f.file), path.basename(f.file));
      temps.push({ tmp, file: f.file });
      const fd = fs.openSync(tmp, 'wx', opts.mode ?? 0o644);
      try {
        writeAll(fd, f.data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      const st = lstatOrUndefined(f.file);
      if (st !== undefined && !st.isFile()) throw new OutputError(f.file, `is ${kindOf(st)}; expected a regular file`, opts.flag);
    }
    for (const t of temps) fs.renameSync(t.tmp, t.file);
  } catch (err) {
    for (const t of temps) fs.rmSync(t.tmp, { force: true });
    if (err instanceof OutputError) throw err;
    const at = temps[temps.length - 1]?.file ?? files[0]?.file ?? '';
    throw new OutputError(at, `cannot write: ${errnoReason(err)}`, opts.flag);
  }
  for (const dir of new Set(files.map((f) => path.dirname(f.file)))) syncDir(dir);
}

function writeAll(fd: number, chunk: string | Uint8Array): void {
  const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** fsync of a directory, so a rename survives a crash (best effort: some file systems refuse). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported here; the rename itself is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Replaces `link` with a symbolic link to `target`, atomically (temporary link, rename). */
export function symlinkAtomic(target: string, link: string): void {
  const tmp = tempName(path.dirname(link), path.basename(link));
  try {
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new OutputError(link, `cannot link: ${errnoReason(err)}`);
  }
}
