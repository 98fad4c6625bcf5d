/** eaddbench calibrate: measure this machine's SGX costs and write a cost profile the model accepts. */
import { generateSigningKey } from '../../backends/arch/rsa.js';
import { checkOutputFile, writeFileAtomic } from '../../common/atomic-write.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { CheckFailed, UsageError } from '../errors.js';
import { loadBinding } from '../../backends/sgx/binding.js';
import { chooseDevice, probe } from '../../backends/sgx/detect.js';
import { buildProfile, calibrate } from '../../backends/sgx/calibrate.js';
import { DEFAULT_PROFILE, loadProfile, ProfileError } from '../../backends/model/profiles.js';

const HELP = `eaddbench calibrate --backend sgx --out FILE.json [options]

Measures on real SGX hardware, with tinybench (warm-up, samples, median; wall clock, ns): the
per-ioctl overhead (an ioctl failing with ENOTTY on the null device), ECREATE, the per-page
cost of ADD with and without measurement (EEXTEND = the difference / 16), EINIT (FLC machines,
SIGSTRUCT signed with a generated RSA-3072 e=3 key) and teardown per page. Writes a cost
profile of the model's shape: measured values carry source "calibrate on <cpu model> ..." and
grade "measured"; the rest come from the base profile. Use it with: eaddbench run --profile FILE.json

Without SGX it exits 1 with the reason and writes nothing.

Which costs to calibrate first: the ones that move the conclusions. A run with cost draws
ranks them per metric (Spearman correlation over the draws, top 5):
  eaddbench run --suite default --draws 32 --sensitivity --out results/draws.csv

Options:
  --backend sgx        required (only the hardware can be calibrated)
  --out FILE.json      where to write the profile (written to a temp file, then renamed)
  --device PATH        SGX device (default: the first of /dev/sgx_enclave, /dev/isgx that is usable)
  --base NAME|FILE     profile supplying the costs not measured (default ${DEFAULT_PROFILE})
  --pages N            pages per per-page measurement (default 1024)
  --samples N          tinybench samples per measurement (default 20)
  --name NAME          profile name (default: calibrated)

Example:
  eaddbench calibrate --backend sgx --out profiles/this-machine.json
`;

const positiveInt = (flag: string, text: string | undefined, def: number, max: number): number => {
  if (text === undefined) return def;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`--${flag} must be an integer in 1..${max}, got '${text}'`);
  return Number(text);
};

export const command: Command = {
  name: 'calibrate',
  summary: 'measure per-page, ECREATE, EINIT and ioctl costs on SGX hardware; write a cost profile',
  help: HELP,
  async run(argv): Promise<number> {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        backend: { type: 'string' },
        out: { type: 'string' },
        device: { type: 'string' },
        base: { type: 'string' },
        pages: { type: 'string' },
        samples: { type: 'string' },
        name: { type: 'string' },
      },
    });
    if (values.backend !== 'sgx') throw new UsageError(`--backend must be 'sgx' (only the hardware can be calibrated), got '${values.backend ?? ''}'`);
    if (!values.out) throw new UsageError('--out FILE.json is required');
    const pages = positiveInt('pages', values.pages, 1024, 1 << 20);
    const samples = positiveInt('samples', values.samples, 20, 10000);
    let base: ReturnType<typeof loadProfile>;
    try {
      base = loadProfile(values.base ?? DEFAULT_PROFILE);
    } catch (e) {
      if (e instanceof ProfileError) throw new UsageError(`--base: ${e.message}`);
      throw e;
    }

    checkOutputFile(values.out, '--out');
    const p = probe();
    // Not yet: calibrating against the emulator (a closed loop) is left for later.
    if (values.device?.startsWith('emu:'))
      throw new UsageError(`--device ${values.device}: calibrate runs on SGX hardware only; the emulator serves 'run --backend sgx'`);
    const choice = chooseDevice(p, values.device);
    if (!choice.ok) throw new CheckFailed(`calibration needs SGX hardware: ${choice.reason}`);
    const b = loadBinding();
    if (!b.ok) throw new CheckFailed(`calibration needs SGX hardware and the native binding: ${b.reason}`);

    const key = choice.driver === 'mainline' && p.flags.sgx_lc ? generateSigningKey() : undefined;
    let measured: Awaited<ReturnType<typeof calibrate>>;
    try {
      measured = await calibrate(b.binding, choice.driver, choice.path, pages, samples, key);
    } catch (e) {
      throw new CheckFailed(`calibration failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const profile = buildProfile(
      base.data,
      measured,
      { cpuModel: p.cpuModel, kernel: p.kernel, device: choice.path, ...(p.epcBytes === undefined ? {} : { epcBytes: p.epcBytes }), samples, pages },
      values.name ?? 'calibrated',
    );
    writeFileAtomic(values.out, JSON.stringify(profile, null, 2) + '\n', { flag: '--out' });
    process.stdout.write(
      `wrote ${values.out}: per page ${measured.pageUnmeasured.toFixed(0)} ns unmeasured, ${measured.pageMeasured.toFixed(0)} ns measured; ECREATE ${measured.ecreate.toFixed(0)} ns; ioctl overhead ${measured.syscall.toFixed(0)} ns (wall clock)\n`,
    );
    return 0;
  },
};
