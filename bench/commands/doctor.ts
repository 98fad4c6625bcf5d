/** eaddbench doctor: what this machine can run, and why not when it cannot. Always exits 0. */
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { probe, chooseDevice, type Probe } from '../../backends/sgx/detect.js';
import { deviceDesign } from '../../backends/sgx/compat.js';
import { existsSync } from 'node:fs';
import { EMULATED_DEVICES, emulatorLibrary } from '../../backends/sgx/emulator.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { PRESETS } from '../../backends/designs.js';

interface DesignRow {
  readonly backend: 'model' | 'sgx';
  readonly design: string;
  readonly runs: boolean;
  readonly reason?: string;
}

export interface DoctorReport {
  readonly cpu: { readonly model: string; readonly sgx: boolean; readonly sgx_lc: boolean };
  readonly kernel: string;
  readonly devices: Probe['devices'];
  readonly epc_bytes: number | null;
  readonly binding_built: boolean;
  readonly binding_reason?: string;
  readonly backends: { readonly model: boolean; readonly sgx: boolean };
  readonly sgx_reason?: string;
  readonly designs: readonly DesignRow[];
  /** The SGX driver emulator's devices (`--device emu:…`): available wherever the binding is built. */
  readonly emulated_devices: readonly { readonly path: string; readonly available: boolean; readonly what: string }[];
}

export function doctorReport(p: Probe = probe()): DoctorReport {
  const choice = chooseDevice(p);
  const sgxOk = choice.ok && p.binding.built;
  const sgxReason = !choice.ok ? choice.reason : !p.binding.built ? p.binding.reason : undefined;
  const designs: DesignRow[] = [];
  for (const preset of PRESETS) {
    designs.push({ backend: 'model', design: preset.name, runs: true });
    if (!sgxOk) {
      designs.push({ backend: 'sgx', design: preset.name, runs: false, reason: sgxReason ?? 'SGX unavailable' });
    } else {
      const native = deviceDesign(choice.driver);
      designs.push(
        preset.name === native
          ? { backend: 'sgx', design: preset.name, runs: true }
          : {
              backend: 'sgx',
              design: preset.name,
              runs: false,
              reason: `${choice.path} implements ${native}; ${preset.name} has ${preset.counterpart.startsWith('none') ? 'no real counterpart' : `its counterpart elsewhere (${preset.counterpart})`}`,
            },
      );
    }
  }
  return {
    cpu: { model: p.cpuModel, sgx: p.flags.sgx, sgx_lc: p.flags.sgx_lc },
    kernel: p.kernel,
    devices: p.devices,
    epc_bytes: p.epcBytes ?? null,
    binding_built: p.binding.built,
    ...(p.binding.reason ? { binding_reason: p.binding.reason } : {}),
    backends: { model: true, sgx: sgxOk },
    ...(sgxReason ? { sgx_reason: sgxReason } : {}),
    designs,
    emulated_devices: EMULATED_DEVICES.map((d) => ({ path: d.path, available: p.binding.built && existsSync(emulatorLibrary(packageRoot())), what: d.what })),
  };
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

export function doctorText(r: DoctorReport): string {
  const L: string[] = [];
  L.push(`CPU        ${r.cpu.model}`);
  L.push(`  sgx      ${yes(r.cpu.sgx)}    sgx_lc (flexible launch control) ${yes(r.cpu.sgx_lc)}`);
  L.push(`kernel     ${r.kernel}`);
  L.push('devices');
  for (const d of r.devices) L.push(`  ${d.path.padEnd(18)} ${d.exists ? `${d.mode ?? ''}${d.accessible ? '  usable' : `  ${d.problem ?? ''}`}` : 'absent'}`);
  L.push('emulated devices (--device; emulators of the driver ABI, NOT SGX hardware)');
  for (const d of r.emulated_devices) L.push(`  ${d.path.padEnd(18)} ${d.available ? 'available' : 'unavailable (binding not built)'}: ${d.what}`);
  L.push(
    `EPC        ${r.epc_bytes === null ? 'not exposed (/sys/devices/system/node/node*/x86/sgx_total_bytes absent)' : `${(r.epc_bytes / 2 ** 20).toFixed(1)} MiB`}`,
  );
  L.push(`binding    ${r.binding_built ? 'built' : `not built: ${r.binding_reason ?? ''}`}`);
  L.push('backends');
  L.push('  model    runs (deterministic model, clock=model)');
  L.push(`  sgx      ${r.backends.sgx ? 'runs (real hardware, clock=wall)' : `does not run: ${r.sgx_reason ?? ''}`}`);
  L.push('designs');
  for (const d of r.designs) L.push(`  ${d.backend.padEnd(6)} ${d.design.padEnd(12)} ${d.runs ? 'runs' : `no: ${d.reason ?? ''}`}`);
  return L.join('\n') + '\n';
}

export const command: Command = {
  name: 'doctor',
  summary: 'what this machine can run: CPU flags, SGX devices, EPC, the native binding, backends and designs',
  help: `eaddbench doctor [--json]

Reports the CPU's sgx and sgx_lc flags, the SGX device nodes (/dev/sgx_enclave, /dev/isgx) and
their permissions, the kernel version, the EPC size where sysfs exposes it, whether the native
binding is built, and which backends and designs will run here, each with the reason when not.
Always exits 0.

Options:
  --json    one JSON object (binding_built, backends {model, sgx}, devices, designs, ...)

Example:
  eaddbench doctor --json
`,
  async run(argv): Promise<number> {
    const { values } = parseArgs({ args: [...argv], options: { json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
    const r = doctorReport();
    process.stdout.write(values.json ? JSON.stringify(r, null, 2) + '\n' : doctorText(r));
    return 0;
  },
};
