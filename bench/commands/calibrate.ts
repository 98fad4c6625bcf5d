/** eaddbench calibrate: measure this machine's SGX costs and write a cost profile the model accepts. */
import { generateSigningKey } from '../../backends/arch/rsa.js';
import { checkOutputFile, writeFileAtomic } from '../../common/atomic-write.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { CheckFailed, UsageError } from '../errors.js';
import { loadBinding, packageRoot } from '../../backends/sgx/binding.js';
import { chooseDevice, probe } from '../../backends/sgx/detect.js';
import { buildProfile, calibrate, type MachineInfo } from '../../backends/sgx/calibrate.js';
import { configureEmulator, emulatedDeviceProblem, emulatedFdsInProc, emulatorLibrary, isEmulatedPath, leaks } from '../../backends/sgx/emulator.js';
import { DEFAULT_PROFILE, loadProfile, ProfileError } from '../../backends/model/profiles.js';

const HELP = `eaddbench calibrate --backend sgx --out FILE.json [options]

Measures on real SGX hardware, with tinybench (warm-up, samples, median; wall clock, ns): the
per-ioctl overhead (an ioctl failing with ENOTTY on the null device), ECREATE, the per-page
cost of ADD with and without measurement (EEXTEND = the difference / 16), EINIT (FLC machines,
SIGSTRUCT signed with a generated RSA-3072 e=3 key) and teardown per page. Writes a cost
profile of the model's shape: measured values carry source "calibrate on <cpu model> ..." and
grade "measured"; the rest come from the base profile. Use it with: eaddbench run --profile FILE.json

Without SGX it exits 1 with the reason and writes nothing.

With --device emu:mainline or emu:isgx it calibrates against the SGX driver emulator instead
(a closed loop: the emulator spins the ENCLS costs of --profile, calibrate should recover them).
Such a profile is named and sourced as emulated ("emulated-…", "calibrate on the SGX driver
emulator …, not SGX hardware") and its EPC size is the emulated one.

Which costs to calibrate first: the ones that move the conclusions. A run with cost draws
ranks them per metric (Spearman correlation over the draws, top 5):
  eaddbench run --suite default --draws 32 --sensitivity --out results/draws.csv

Options:
  --backend sgx        required (only the hardware can be calibrated)
  --out FILE.json      where to write the profile (written to a temp file, then renamed)
  --device PATH        SGX device (default: the first of /dev/sgx_enclave, /dev/isgx that is usable),
                       or emu:mainline or emu:isgx, the SGX driver emulators (not hardware)
  --base NAME|FILE     profile supplying the costs not measured (default ${DEFAULT_PROFILE})
  --profile NAME|FILE  with an emulated device: the costs the emulator spins (default: the --base profile)
  --pages N            pages per per-page measurement (default 1024)
  --samples N          tinybench samples per measurement (default 20)
  --name NAME          profile name (default: calibrated; emulated-calibrated with an emulated
                       device, where a name without 'emulated' gets the prefix 'emulated-')

Example:
  eaddbench calibrate --backend sgx --out profiles/this-machine.json
`;

const positiveInt = (flag: string, text: string | undefined, def: number, max: number): number => {
  if (text === undefined) return def;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`--${flag} must be an integer in 1..${max}, got '${text}'`);
  return Number(text);
};

const profileFlag = (flag: string, nameOrFile: string): ReturnType<typeof loadProfile> => {
  try {
    return loadProfile(nameOrFile);
  } catch (e) {
    if (e instanceof ProfileError) throw new UsageError(`--${flag}: ${e.message}`);
    throw e;
  }
};

/** A profile calibrated against the emulator says so in its name, so it never passes as hardware's. */
const profileName = (name: string | undefined, emulated: boolean): string => {
  if (!emulated) return name ?? 'calibrated';
  if (name === undefined) return 'emulated-calibrated';
  return /emulated/i.test(name) ? name : `emulated-${name}`;
};

/** The EPC the emulator was given (the profile's machine.epc_bytes; the profile was validated when loaded). */
const epcBytesOf = (data: Record<string, unknown>): number => (data['machine'] as Record<string, { value: number }>)['epc_bytes']!.value;

export const command: Command = {
  name: 'calibrate',
  summary: 'measure per-page, ECREATE, EINIT and ioctl costs on SGX hardware (or the emulator); write a cost profile',
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
        profile: { type: 'string' },
        pages: { type: 'string' },
        samples: { type: 'string' },
        name: { type: 'string' },
      },
    });
    if (values.backend !== 'sgx') throw new UsageError(`--backend must be 'sgx' (only the hardware can be calibrated), got '${values.backend ?? ''}'`);
    if (!values.out) throw new UsageError('--out FILE.json is required');
    const pages = positiveInt('pages', values.pages, 1024, 1 << 20);
    const samples = positiveInt('samples', values.samples, 20, 10000);
    const base = profileFlag('base', values.base ?? DEFAULT_PROFILE);
    const emulated = isEmulatedPath(values.device);
    if (emulated) {
      const problem = emulatedDeviceProblem(values.device!);
      if (problem) throw new UsageError(`--device: ${problem}`);
    } else if (values.profile !== undefined) {
      throw new UsageError(`--profile is for an emulated device (--device emu:mainline or emu:isgx); the hardware's costs are what calibrate measures`);
    }
    const emuProfile = emulated && values.profile !== undefined ? profileFlag('profile', values.profile) : base;

    checkOutputFile(values.out, '--out');
    const p = probe();
    const choice = chooseDevice(p, values.device);
    if (!choice.ok) throw new CheckFailed(`calibration needs SGX hardware: ${choice.reason}`);
    const b = loadBinding();
    if (!b.ok) throw new CheckFailed(`calibration needs ${emulated ? 'the SGX driver emulator' : 'SGX hardware'} and the native binding: ${b.reason}`);
    if (emulated) {
      try {
        b.binding.emuEnable(emulatorLibrary(packageRoot()), configureEmulator(emuProfile.name, emuProfile.data));
      } catch (e) {
        throw new CheckFailed(`${choice.path}: the SGX driver emulator did not load: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const before = emulated ? b.binding.emuStats() : null;

    // Mainline EINIT needs a flexible-launch-control CPU (the emulator's takes any signer); isgx
    // needs a signed SIGSTRUCT to get as far as refusing the missing launch token.
    const key = choice.driver === 'isgx' || p.flags.sgx_lc || emulated ? generateSigningKey() : undefined;
    let measured: Awaited<ReturnType<typeof calibrate>>;
    try {
      measured = await calibrate(b.binding, choice.driver, choice.path, pages, samples, key);
    } catch (e) {
      throw new CheckFailed(`calibration failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (before) {
      const left = leaks(before, b.binding.emuStats()!, emulatedFdsInProc());
      if (left.length > 0) throw new CheckFailed(`calibration left emulator state behind: ${left.join(', ')}`);
    }
    const info: MachineInfo = emulated
      ? { cpuModel: p.cpuModel, kernel: p.kernel, device: choice.path, epcBytes: epcBytesOf(emuProfile.data), samples, pages, emulatedProfile: emuProfile.name }
      : { cpuModel: p.cpuModel, kernel: p.kernel, device: choice.path, ...(p.epcBytes === undefined ? {} : { epcBytes: p.epcBytes }), samples, pages };
    const profile = buildProfile(base.data, measured, info, profileName(values.name, emulated));
    writeFileAtomic(values.out, JSON.stringify(profile, null, 2) + '\n', { flag: '--out' });
    process.stdout.write(
      `wrote ${values.out}: per page ${measured.pageUnmeasured.toFixed(0)} ns unmeasured, ${measured.pageMeasured.toFixed(0)} ns measured; ECREATE ${measured.ecreate.toFixed(0)} ns; ioctl overhead ${measured.syscall.toFixed(0)} ns (wall clock)${emulated ? `; emulated: calibrated against the SGX driver emulator ${choice.path} spinning profile ${emuProfile.name}, not SGX hardware` : ''}\n`,
    );
    return 0;
  },
};
