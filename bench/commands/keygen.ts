/** `eaddbench keygen --out KEY.pem`: a new RSA-3072, e = 3 signing key. */
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { generateSigningKey } from '../../backends/arch/rsa.js';
import { checkOutputFile, writeFileAtomic } from '../../common/atomic-write.js';

const HELP = `Usage: eaddbench keygen --out KEY.pem

Writes a new RSA-3072 private key with public exponent 3 (the only shape EINIT accepts), PEM
encoded (PKCS#1, "RSA PRIVATE KEY"), file mode 0600. The file is written whole or not at all.

Options:
  --out KEY.pem   where to write the key (required)

Exit status: 0 ok; 2 bad usage or the file cannot be written.

Example:
  eaddbench keygen --out signing-key.pem
`;

export const command: Command = {
  name: 'keygen',
  summary: 'write an RSA-3072, e = 3 signing key (PEM)',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { out: { type: 'string' } } });
    if (positionals.length > 0) throw new UsageError(`keygen: unexpected argument '${positionals[0]}'; the only option is --out KEY.pem`);
    if (!values.out) throw new UsageError('keygen: --out KEY.pem is required');
    checkOutputFile(values.out, 'keygen: --out');
    const key = generateSigningKey();
    const pem = key.export({ type: 'pkcs1', format: 'pem' });
    writeFileAtomic(values.out, pem, { mode: 0o600, flag: 'keygen: --out' });
    process.stdout.write(`wrote ${values.out} (RSA-3072, e = 3)\n`);
    return 0;
  },
};
