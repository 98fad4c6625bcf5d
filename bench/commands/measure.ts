/** `eaddbench measure FILE.sgxs [--json]`: the MRENCLAVE of an SGXS stream, read in chunks. */
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ArchInputError } from '../../backends/arch/errors.js';
import { measureSgxsFile, type StreamMeasurement } from '../../backends/arch/measure.js';

const HELP = `Usage: eaddbench measure FILE.sgxs [--json]

Computes the MRENCLAVE of an SGXS (or enhanced SGXS) stream the way ECREATE, EADD and EEXTEND
would: one SHA-256 over the measured records, UNMEASRD records skipped. The stream is read in
1 MiB chunks and validated on the way (canonical order, aligned offsets, one ECREATE, TCS
without permissions, zero reserved bytes).

Output: the MRENCLAVE as 64 lowercase hex digits on the first line, then the enclave size and
the counts of EADD, EEXTEND and unmeasured (UNMEASRD) records.

Options:
  --json   print one JSON object: {file, mrenclave, size, ssaFrameSize, eadd, eextend, unmeasured, records, bytes}

Exit status: 0 ok; 2 bad usage or a malformed stream (the message names the record number,
its byte offset and the rule broken).

Example:
  eaddbench measure enclave.sgxs
`;

export function measurementJson(file: string, m: StreamMeasurement): Record<string, unknown> {
  const c = m.counts;
  return {
    file,
    mrenclave: m.mrenclave.toString('hex'),
    size: m.size,
    ssaFrameSize: m.ssaFrameSize,
    eadd: c.eadd,
    eextend: c.eextend,
    unmeasured: c.unmeasured,
    records: c.records,
    bytes: c.bytes,
  };
}

export const command: Command = {
  name: 'measure',
  summary: 'MRENCLAVE of an SGXS stream (and its EADD/EEXTEND/unmeasured counts)',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError(`measure: expected one FILE.sgxs, got ${positionals.length} arguments`);
    const file = positionals[0] as string;
    let m: StreamMeasurement;
    try {
      m = measureSgxsFile(file);
    } catch (e) {
      if (e instanceof ArchInputError) throw new UsageError(e.message);
      throw e;
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(measurementJson(file, m)) + '\n');
      return 0;
    }
    const c = m.counts;
    process.stdout.write(
      `${m.mrenclave.toString('hex')}\n` +
        `size        0x${m.size.toString(16)} bytes, ssaframesize ${m.ssaFrameSize} page(s)\n` +
        `eadd        ${c.eadd}\n` +
        `eextend     ${c.eextend}\n` +
        `unmeasured  ${c.unmeasured}\n`,
    );
    return 0;
  },
};
