/** `eaddbench sigstruct FILE.sig [--json]`: a SIGSTRUCT's fields and whether it verifies. */
import { InputFileError, readInput } from '../../common/input-file.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ArchInputError } from '../../backends/arch/errors.js';
import { verifySigstruct, type SigstructCheck } from '../../backends/arch/sign.js';
import { dateText } from '../../backends/arch/sigstruct.js';

const HELP = `Usage: eaddbench sigstruct FILE.sig [--json]

Prints the fields of a 1808-byte SIGSTRUCT and checks it: the fixed headers, exponent 3, the
RSASSA-PKCS1-v1_5 SHA-256 signature over header and body under the embedded modulus, and the
EINIT helper values q1 = floor(s^2 / n) and q2 = floor(s * (s^2 mod n) / n).

Options:
  --json   print one JSON object with every field (hex for byte arrays and 64-bit values)
           and the booleans headerOk, exponentOk, signatureOk, q1Ok, q2Ok, ok, and problems
           (one message per failed check, naming the field and its byte offset)

Exit status: 0 every check passed; 1 a check failed (for example an invalid signature, a
modulus that is not 3072 bits, a signature not below the modulus; stderr names the fields);
2 bad usage, or a file that is not a regular file of exactly 1808 bytes.

Example:
  eaddbench sigstruct enclave.sig
`;

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const verdict = (ok: boolean): string => (ok ? 'valid' : 'INVALID');

function toJson(file: string, c: SigstructCheck): Record<string, unknown> {
  const f = c.fields;
  return {
    file,
    vendor: f.vendor,
    date: dateText(f.date),
    swdefined: f.swdefined,
    modulus: f.modulus.toString('hex'),
    exponent: f.exponent,
    signature: f.signature.toString('hex'),
    miscselect: f.miscselect,
    miscmask: f.miscmask,
    attributes: hex64(f.attributes),
    xfrm: hex64(f.xfrm),
    attributeMask: hex64(f.attributeMask),
    xfrmMask: hex64(f.xfrmMask),
    enclaveHash: f.enclaveHash.toString('hex'),
    isvProdId: f.isvProdId,
    isvSvn: f.isvSvn,
    q1: f.q1.toString('hex'),
    q2: f.q2.toString('hex'),
    mrsigner: c.mrsigner.toString('hex'),
    headerOk: c.headerOk,
    exponentOk: c.exponentOk,
    signatureOk: c.signatureOk,
    q1Ok: c.q1Ok,
    q2Ok: c.q2Ok,
    ok: c.ok,
    problems: c.problems,
  };
}

function toText(file: string, c: SigstructCheck): string {
  const f = c.fields;
  const rows: [string, string][] = [
    ['file', file],
    ['header', c.headerOk ? 'ok' : 'WRONG (not the SDM HEADER/HEADER2 constants)'],
    ['vendor', `0x${f.vendor.toString(16).padStart(4, '0')}`],
    ['date', dateText(f.date)],
    ['swdefined', `0x${f.swdefined.toString(16)}`],
    ['modulus', `${f.modulus.subarray(0, 8).toString('hex')}… (384 bytes, little-endian)`],
    ['mrsigner', c.mrsigner.toString('hex')],
    ['exponent', `${f.exponent}${c.exponentOk ? '' : ' (WRONG: must be 3)'}`],
    ['miscselect', `0x${f.miscselect.toString(16).padStart(8, '0')}  mask 0x${f.miscmask.toString(16).padStart(8, '0')}`],
    ['attributes', `${hex64(f.attributes)}  mask ${hex64(f.attributeMask)}`],
    ['xfrm', `${hex64(f.xfrm)}  mask ${hex64(f.xfrmMask)}`],
    ['enclavehash', f.enclaveHash.toString('hex')],
    ['isvprodid', String(f.isvProdId)],
    ['isvsvn', String(f.isvSvn)],
    ['signature', verdict(c.signatureOk)],
    ['q1', verdict(c.q1Ok)],
    ['q2', verdict(c.q2Ok)],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join('\n') + '\n';
}

export const command: Command = {
  name: 'sigstruct',
  summary: "print a SIGSTRUCT's fields; check its signature, q1 and q2",
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError(`sigstruct: expected one FILE.sig, got ${positionals.length} arguments`);
    const file = positionals[0] as string;
    let buf: Buffer;
    try {
      buf = readInput(file, 'sigstruct');
    } catch (e) {
      if (e instanceof InputFileError) throw new UsageError(`sigstruct: ${e.message}`);
      throw e;
    }
    let c: SigstructCheck;
    try {
      c = verifySigstruct(buf, file);
    } catch (e) {
      if (e instanceof ArchInputError) throw new UsageError(`sigstruct: ${e.message}`);
      throw e;
    }
    process.stdout.write(values.json ? JSON.stringify(toJson(file, c)) + '\n' : toText(file, c));
    if (!c.ok) process.stderr.write(`eaddbench: sigstruct: ${file}: check failed: ${c.problems.join('; ')}\n`);
    return c.ok ? 0 : 1;
  },
};
