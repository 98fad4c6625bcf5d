/**
 * `replay`: an SGXS stream as a workload. One builder process creates an enclave of the
 * stream's ECREATE size, adds exactly the stream's pages — type, permissions, the 16-bit mask of
 * measured chunks, in stream order — and initializes it. Consecutive pages that are contiguous
 * and share type, permissions and mask become one `add` op (the backend splits ops into ioctls
 * by the design's batch size).
 *
 * Not reproducible by a driver, so rejected with the record named: an UNSIZED stream (no size to
 * ECREATE with), and a page whose chunks come out of ascending order (both drivers EEXTEND a
 * page's chunks in ascending order, so the MRENCLAVE would differ).
 */
import { UsageError } from '../common/errors.js';
import { PAGE_SIZE } from '../common/page.js';
import { ArchInputError } from '../backends/arch/errors.js';
import { readSgxsFile, type ImportedSgxs } from '../backends/arch/sgxs-image.js';
import { PAGE_TYPE_MASK, PAGE_TYPE_SHIFT, PERM_MASK, pageTypeName } from '../backends/arch/secinfo.js';
import { MAX_SIZE } from './common.js';
import type { Op, ParamValues, Scenario, WorkloadSpec } from './types.js';

const PAGE = PAGE_SIZE;

type AddOp = Extract<Op, { op: 'add' }>;

/** The ops of the builder, from an imported stream (pure; throws ArchInputError). */
export function replayOps(image: ImportedSgxs, source: string): Op[] {
  if (image.unsized) throw new ArchInputError(`${source}: record 0 (byte offset 0): an UNSIZED stream has no enclave size to ECREATE with`);
  // The same cap as `build`'s size: the model keeps per-page state for the whole ELRANGE.
  if (image.size > MAX_SIZE) {
    throw new ArchInputError(
      `${source}: record 0 (byte offset 0): ECREATE size 0x${image.size.toString(16)} is larger than a replay can run (at most ${MAX_SIZE / 1024 ** 3} GiB, as for build's size)`,
    );
  }
  const ops: Op[] = [{ op: 'create', enclave: 0, size: image.size }];
  let cur: { -readonly [K in keyof AddOp]: AddOp[K] } | undefined;
  for (const p of image.pages) {
    if (!p.ordered) {
      throw new ArchInputError(
        `${source}: record ${p.record}: the chunks of the page at 0x${p.offset.toString(16)} are out of ascending order; a driver EEXTENDs them in order, so a replay could not reproduce this MRENCLAVE`,
      );
    }
    const type = pageTypeName((p.flags & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT);
    if (type === undefined) throw new ArchInputError(`${source}: record ${p.record}: page type is neither REG nor TCS`);
    const perm = p.flags & PERM_MASK;
    const page = p.offset / PAGE;
    if (cur && cur.offset + cur.pages === page && cur.type === type && cur.perm === perm && cur.measure === p.measured) {
      cur.pages++;
      continue;
    }
    if (cur) ops.push(cur);
    cur = { op: 'add', enclave: 0, offset: page, pages: 1, type, perm, measure: p.measured };
  }
  if (cur) ops.push(cur);
  ops.push({ op: 'init', enclave: 0 });
  return ops;
}

/** Reads and converts a stream file; bad input becomes a usage error naming the record. */
export function replayScenario(file: string): Scenario {
  if (file === '') throw new UsageError('replay: --set file=FILE.sgxs is required (a path to an SGXS stream)');
  let image: ImportedSgxs;
  let ops: Op[];
  try {
    image = readSgxsFile(file);
    ops = replayOps(image, file);
  } catch (e) {
    if (e instanceof ArchInputError) throw new UsageError(`replay: file: ${e.message}`);
    throw e;
  }
  return {
    processes: [{ pid: 0, name: 'builder', role: 'builder', mm: 0, startNs: 0, ops }],
    background: [],
    needs: {},
  };
}

export const replay: WorkloadSpec = {
  name: 'replay',
  description:
    "Replays an SGXS stream: one builder creates the enclave with the stream's size, adds exactly its pages (type, permissions, measured chunks, order; runs coalesced) and runs EINIT.",
  params: [
    {
      name: 'file',
      kind: 'file',
      unit: 'path',
      default: '',
      description: 'The SGXS (or enhanced SGXS) stream to replay, e.g. one written by an SGX toolchain, or the example workloads/streams/example.sgxs.',
      check(value) {
        if (typeof value !== 'string' || value === '') return 'a path to an .sgxs file (required)';
        try {
          replayOps(readSgxsFile(value), value);
          return undefined;
        } catch (e) {
          if (e instanceof ArchInputError) return e.message;
          throw e;
        }
      },
    },
  ],
  generate(values: ParamValues): Scenario {
    const file = values['file'];
    return replayScenario(typeof file === 'string' ? file : String(file ?? ''));
  },
};
