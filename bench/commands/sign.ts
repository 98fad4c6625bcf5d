/** `eaddbench sign FILE.sgxs --key KEY.pem --out FILE.sig ...`: a SIGSTRUCT for a stream. */
import { InputFileError, readInput } from '../../common/input-file.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ArchInputError } from '../../backends/arch/errors.js';
import { measureSgxsFile, type StreamMeasurement } from '../../backends/arch/measure.js';
import { loadSigningKey } from '../../backends/arch/rsa.js';
import { signSigstruct } from '../../backends/arch/sign.js';
import { bcdDate, todayBcd, VENDOR_INTEL } from '../../backends/arch/sigstruct.js';
import { ATTR_MODE64BIT, XFRM_LEGACY } from '../../backends/arch/secs.js';
import { checkOutputFile, writeFileAtomic } from '../../common/atomic-write.js';

const HELP = `Usage: eaddbench sign FILE.sgxs --key KEY.pem --out FILE.sig [--date YYYYMMDD] [--vendor N] [--isvprodid N] [--isvsvn N]

Measures the stream and writes a 1808-byte SIGSTRUCT whose ENCLAVEHASH is its MRENCLAVE and
whose attributes match the ECREATE this project issues (MODE64BIT, XFRM = 3: x87 + SSE).
Masks: every attribute but DEBUG, XFRM bits above 1:0 free, every MISCSELECT bit (the defaults
of rust-sgx's signer). Signature: RSASSA-PKCS1-v1_5 with SHA-256 over header and body,
modulus, signature, q1 and q2 little-endian.

Options:
  --key KEY.pem        PEM RSA-3072 private key with e = 3 (see eaddbench keygen) (required)
  --out FILE.sig       where to write the SIGSTRUCT; written whole or not at all (required)
  --date YYYYMMDD      DATE field, stored as BCD (default: today, UTC)
  --vendor N           0 or 0x8086 (Intel); mainline EINIT rejects anything else (default 0)
  --isvprodid N        ISVPRODID, 0..65535 (default 0)
  --isvsvn N           ISVSVN, 0..65535 (default 0)
Numbers are decimal or 0x-prefixed hex.

Exit status: 0 ok; 2 bad usage, a malformed stream or a key of the wrong size or exponent
(nothing is written).

Example:
  eaddbench keygen --out key.pem && eaddbench sign enclave.sgxs --key key.pem --out enclave.sig --date 20260101
`;

function parseUint(flag: string, text: string | undefined, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const ok = /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text);
  const v = ok ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new UsageError(`sign: ${flag} '${text}': expected an integer 0..${max} (decimal or 0x hex)`);
  return v;
}

export const command: Command = {
  name: 'sign',
  summary: 'write a SIGSTRUCT (RSA-3072, e = 3) for an SGXS stream',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string' },
        out: { type: 'string' },
        date: { type: 'string' },
        vendor: { type: 'string' },
        isvprodid: { type: 'string' },
        isvsvn: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(`sign: expected one FILE.sgxs, got ${positionals.length} arguments`);
    const file = positionals[0] as string;
    if (!values.key) throw new UsageError('sign: --key KEY.pem is required');
    if (!values.out) throw new UsageError('sign: --out FILE.sig is required');
    let date = todayBcd();
    if (values.date !== undefined) {
      const d = bcdDate(values.date);
      if (d === undefined) throw new UsageError(`sign: --date '${values.date}': expected a calendar date as YYYYMMDD`);
      date = d;
    }
    const vendor = parseUint('--vendor', values.vendor, 0xffff_ffff, 0);
    if (vendor !== 0 && vendor !== VENDOR_INTEL) throw new UsageError(`sign: --vendor ${values.vendor}: valid values are 0 and 0x8086 (Intel)`);
    const isvProdId = parseUint('--isvprodid', values.isvprodid, 0xffff, 0);
    const isvSvn = parseUint('--isvsvn', values.isvsvn, 0xffff, 0);

    checkOutputFile(values.out, 'sign: --out');
    let pem: Buffer;
    try {
      pem = readInput(values.key, 'key');
    } catch (e) {
      if (e instanceof InputFileError) throw new UsageError(`sign: --key ${e.message}`);
      throw e;
    }
    let m: StreamMeasurement;
    let sig: Buffer;
    try {
      const key = loadSigningKey(pem, `--key ${values.key}`);
      m = measureSgxsFile(file);
      sig = signSigstruct({ enclaveHash: m.mrenclave, vendor, date, isvProdId, isvSvn, attributes: ATTR_MODE64BIT, xfrm: XFRM_LEGACY }, key);
    } catch (e) {
      if (e instanceof ArchInputError) throw new UsageError(`sign: ${e.message}`);
      throw e;
    }
    writeFileAtomic(values.out, sig, { flag: 'sign: --out' });
    process.stdout.write(`${m.mrenclave.toString('hex')}\nwrote ${values.out} (SIGSTRUCT, ${sig.length} bytes)\n`);
    return 0;
  },
};
