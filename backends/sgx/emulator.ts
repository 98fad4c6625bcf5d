/**
 * The SGX driver emulator (native/emu, built beside the binding): which device paths select it,
 * the configuration it takes (per-instruction costs from a model profile, the shared EPC's size
 * and file), and the leak check run after every emulated case.
 *
 * The binding routes its open/close/ioctl/mmap/munmap through a table the emulator replaces
 * (native/src/sys_table.h), so the binding's own code (argument conversion, the ADD_PAGES loop,
 * errors) runs unchanged; calls on anything but an emulated device or enclave fd still go to libc.
 * The configuration travels in the environment (EMU_ENV), so worker threads and the child
 * processes the backend forks load the emulator with the same costs and the same shared EPC.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MetricValue, ProfileData } from '../types.js';
import type { Driver } from './detect.js';

/** The device paths the emulator answers (`--device emu:…`). */
export const EMULATED_DEVICES: readonly { readonly path: string; readonly driver: Driver; readonly what: string }[] = [
  { path: 'emu:mainline', driver: 'mainline', what: 'emulator of the mainline driver (/dev/sgx_enclave ABI), not SGX hardware' },
  { path: 'emu:isgx', driver: 'isgx', what: 'emulator of the out-of-tree isgx driver (/dev/isgx ABI), not SGX hardware' },
];

export const EMU_ENV = 'EADDBENCH_SGX_EMU';
/** The costs the emulator spins for, and the profile keys they come from. */
export const EMU_COSTS = ['ecreate', 'eadd', 'eextend', 'einit', 'eremove', 'ewb', 'eldu'] as const;
/** The memfd name of an emulated enclave, as /proc/self/fd shows it. */
export const EMU_FD_NAME = 'sgx_enclave (eaddbench emulator)';

export function isEmulatedPath(device: string | undefined): boolean {
  return device?.startsWith('emu:') === true;
}

export function emulatedDevice(device: string): (typeof EMULATED_DEVICES)[number] | undefined {
  return EMULATED_DEVICES.find((d) => d.path === device);
}

/** Why `device` is not an emulated device the emulator knows, naming the valid choices; undefined when it is. */
export function emulatedDeviceProblem(device: string): string | undefined {
  if (emulatedDevice(device)) return undefined;
  return `unknown emulated device '${device}'; valid emulated devices: ${EMULATED_DEVICES.map((d) => d.path).join(', ')}`;
}

/** The library the binding loads for an emulated device. */
export function emulatorLibrary(root: string): string {
  return path.join(root, 'build', 'Release', 'libeaddbench_sgxemu.so');
}

let epcFile: string | undefined;

/** The shared EPC's file: one per top-level process, inherited by its children through EMU_ENV. */
function sharedEpcFile(): string {
  const inherited = /(?:^|;)epc_file=([^;]+)/.exec(process.env[EMU_ENV] ?? '')?.[1];
  if (inherited) return inherited;
  if (!epcFile) {
    epcFile = path.join(tmpdir(), `eaddbench-emu-epc-${process.pid}-${randomBytes(4).toString('hex')}`);
    const file = epcFile;
    process.on('exit', () => rmSync(file, { force: true }));
  }
  return epcFile;
}

/** The emulator's configuration string for a profile: costs in ns, EPC pages, the shared EPC file. */
export function emulatorConfig(profileName: string, data: ProfileData): string {
  // The profile document was validated when it was loaded (backends/model/profiles.ts); read it as data.
  const costs = data['costs'] as Readonly<Record<string, { readonly value: number } | undefined>>;
  const machine = data['machine'] as Readonly<Record<string, { readonly value: number } | undefined>>;
  const epcPages = Math.floor((machine['epc_bytes']?.value ?? 0) / 4096);
  const parts = [
    `profile=${profileName.replace(/[;=]/g, '_')}`,
    ...EMU_COSTS.map((k) => `${k}=${costs[k]?.value ?? 0}`),
    `epc_pages=${Math.max(1, epcPages)}`,
    `epc_file=${sharedEpcFile()}`,
  ];
  return parts.join(';');
}

/** Sets the configuration for this process and every thread and child started after it. */
export function configureEmulator(profileName: string, data: ProfileData): string {
  const config = emulatorConfig(profileName, data);
  process.env[EMU_ENV] = config;
  return config;
}

/** Emulated enclave fds this process holds, from /proc/self/fd (independent of the emulator's own count). */
export function emulatedFdsInProc(): number {
  if (!existsSync('/proc/self/fd')) return 0;
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes(EMU_FD_NAME)) n++;
    } catch {
      /* closed while listing */
    }
  }
  return n;
}

export interface EmuStats {
  readonly enclaveFds: number;
  readonly mappings: number;
  readonly epcPages: number;
  readonly enclaves: number;
  /** EWBs so far in the shared EPC. */
  readonly evictions: number;
  /** ELDUs so far in the shared EPC (an access to an evicted page). */
  readonly eldu: number;
}

/**
 * What a finished case left behind: emulated enclave fds or mappings in this process (the
 * emulator's count and /proc/self/fd), and EPC pages or enclaves still held in the shared EPC
 * compared with before the case. Empty when nothing leaked.
 */
export function leaks(before: EmuStats, after: EmuStats, procFds: number): string[] {
  const out: string[] = [];
  if (after.enclaveFds > 0) out.push(`${after.enclaveFds} emulated enclave fd(s) still open`);
  if (procFds > 0) out.push(`${procFds} emulated enclave fd(s) in /proc/self/fd`);
  if (after.mappings > 0) out.push(`${after.mappings} emulated enclave mapping(s) left`);
  if (after.epcPages !== before.epcPages) out.push(`${after.epcPages - before.epcPages} EPC page(s) still held`);
  if (after.enclaves !== before.enclaves) out.push(`${after.enclaves - before.enclaves} enclave(s) not released`);
  return out;
}

/**
 * The shared EPC's EWBs and ELDUs during a case (every process of it, its warm-up run and
 * every sample), as `epc_evictions` and `eldu`.
 */
export function epcMetrics(before: EmuStats, after: EmuStats): MetricValue[] {
  const detail = "counted by the emulator's shared EPC over the whole case (its warm-up run and every sample, all processes)";
  return [
    { metric: 'epc_evictions', value: after.evictions - before.evictions, detail },
    { metric: 'eldu', value: after.eldu - before.eldu, detail },
  ];
}

/** The detail every metric of an emulated case carries. */
export function emulatedDetail(device: string, profileName: string): string {
  return `emulated: ${device} (SGX driver emulator at the kernel ABI, not SGX hardware; wall times include ENCLS costs spun from profile ${profileName})`;
}
