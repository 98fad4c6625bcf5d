/**
 * Opening an input file: only regular files (a FIFO, a device, a directory or /proc file is
 * refused by name), each kind with a size cap, so `/dev/zero` or a named pipe can neither hang
 * a command nor exhaust its memory. `-` (standard input) is accepted only where a caller allows
 * it, and is capped the same way.
 */
import fs from 'node:fs';

/** Input kinds and their caps, in bytes. */
export const INPUT_LIMITS = {
  /** A results CSV (report, compare, merge). */
  csv: 512 * 1024 ** 2,
  /** A cost profile (JSON). */
  profile: 4 * 1024 ** 2,
  /** A SIGSTRUCT is exactly 1808 bytes; a larger file is refused without reading it whole. */
  sigstruct: 1808,
  /** A PEM signing key. */
  key: 64 * 1024,
  /** An SGXS stream (read in chunks, never whole): 256 GiB of pages plus record headers. */
  sgxs: 384 * 1024 ** 3,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

const NAMES: Readonly<Record<InputKind, string>> = {
  csv: 'results CSV',
  profile: 'profile',
  sigstruct: 'SIGSTRUCT',
  key: 'key file',
  sgxs: 'SGXS stream',
};

/** Bad input file: the message names the path and the rule; callers turn it into exit 2. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function describe(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function human(n: number): string {
  for (const [u, f] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (n >= f && n % f === 0) return `${n / f} ${u}`;
  return `${n} bytes`;
}

/**
 * Opens `file` for reading after checking it is a regular file within the cap of `kind`.
 * Returns the descriptor and the size; the caller closes it. Never blocks on a FIFO.
 */
export function openInput(file: string, kind: InputKind): { fd: number; size: number } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer must not block; it is refused below anyway.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(file, `cannot read the file (${code}${code === 'ENOENT' ? ': no such file' : ''}); expected a ${NAMES[kind]}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(file, `is ${describe(st)}; a ${NAMES[kind]} must be a regular file`);
    // procfs and sysfs report size 0 for files that yield bytes; nothing of ours lives there.
    if (/^\/(proc|sys)(\/|$)/.test(fs.realpathSync(file))) throw new InputFileError(file, `is a kernel pseudo file; a ${NAMES[kind]} must be a regular file`);
    const limit = INPUT_LIMITS[kind];
    if (st.size > limit) throw new InputFileError(file, `is ${st.size} bytes; a ${NAMES[kind]} may be at most ${human(limit)}`);
    return { fd, size: st.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Reads a whole input file (see openInput); `-` reads standard input when `allowStdin`. */
export function readInput(file: string, kind: InputKind, allowStdin = false): Buffer {
  if (file === '-' && allowStdin) return readStdin(kind);
  const { fd, size } = openInput(file, kind);
  try {
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

function readStdin(kind: InputKind): Buffer {
  const limit = INPUT_LIMITS[kind];
  const parts: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw new InputFileError('-', `cannot read standard input (${code ?? String(err)})`);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw new InputFileError('-', `standard input exceeds ${human(limit)}, the limit for a ${NAMES[kind]}`);
    parts.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(parts);
}
