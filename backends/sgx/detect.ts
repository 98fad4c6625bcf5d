/**
 * What this machine can do for the hardware backend: CPU flags, SGX device nodes and their
 * permissions, kernel version, EPC size where sysfs exposes it, and the native binding.
 * Reads only; used by `doctor`, `calibrate` and the backend's skip path.
 */
import { accessSync, constants as fsc, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { loadBinding } from './binding.js';
import { emulatedDevice, emulatedDeviceProblem, isEmulatedPath } from './emulator.js';

export type Driver = 'mainline' | 'isgx';

/** Device nodes in the order a loader probes them (reference §3.2: RUSTSGX's order, minus DCAP's /dev/sgx). */
export const KNOWN_DEVICES: readonly { readonly path: string; readonly driver: Driver }[] = [
  { path: '/dev/sgx_enclave', driver: 'mainline' },
  { path: '/dev/sgx/enclave', driver: 'mainline' },
  { path: '/dev/isgx', driver: 'isgx' },
];

export interface DeviceInfo {
  readonly path: string;
  readonly driver: Driver;
  readonly exists: boolean;
  /** e.g. `crw-rw---- root:sgx`, when it exists. */
  readonly mode?: string;
  readonly group?: string;
  readonly charDevice?: boolean;
  /** Readable and writable by this process. */
  readonly accessible: boolean;
  /** Why it cannot be used, when it cannot. */
  readonly problem?: string;
}

export interface Probe {
  readonly cpuModel: string;
  readonly flags: { readonly sgx: boolean; readonly sgx_lc: boolean };
  readonly kernel: string;
  readonly devices: readonly DeviceInfo[];
  /** Total EPC bytes from /sys/devices/system/node/node*\/x86/sgx_total_bytes, if exposed. */
  readonly epcBytes?: number;
  readonly binding: { readonly built: boolean; readonly reason?: string };
}

/** Files the probe reads; tests point them at fixtures. */
export interface ProbeSources {
  readonly cpuinfo: string;
  readonly nodeDir: string;
  readonly groupFile: string;
}
const SOURCES: ProbeSources = { cpuinfo: '/proc/cpuinfo', nodeDir: '/sys/devices/system/node', groupFile: '/etc/group' };

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

export function parseCpuinfo(text: string): { model: string; flags: Set<string> } {
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown CPU';
  const flagLine = /^flags\s*:\s*(.+)$/m.exec(text)?.[1] ?? '';
  return { model, flags: new Set(flagLine.trim().split(/\s+/)) };
}

function groupName(gid: number, groupFile: string): string {
  for (const line of readOr(groupFile, '').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === gid) return name;
  }
  return String(gid);
}

function modeString(mode: number, isChar: boolean): string {
  const rwx = (bits: number) => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  return `${isChar ? 'c' : '-'}${rwx((mode >> 6) & 7)}${rwx((mode >> 3) & 7)}${rwx(mode & 7)}`;
}

export function inspectDevice(path: string, driver: Driver, groupFile = SOURCES.groupFile): DeviceInfo {
  if (!existsSync(path)) return { path, driver, exists: false, accessible: false, problem: `${path} does not exist` };
  const st = statSync(path);
  const group = groupName(st.gid, groupFile);
  const owner = st.uid === 0 ? 'root' : String(st.uid);
  const mode = `${modeString(st.mode, st.isCharacterDevice())} ${owner}:${group}`;
  const found = { path, driver, exists: true, mode, group } as const;
  if (!st.isCharacterDevice()) return { ...found, charDevice: false, accessible: false, problem: `${path} is not a character device, so not an SGX device` };
  try {
    accessSync(path, fsc.R_OK | fsc.W_OK);
    return { ...found, charDevice: true, accessible: true };
  } catch {
    return {
      ...found,
      charDevice: true,
      accessible: false,
      problem: `no permission to open ${path} (${mode}); add your user to the group that owns it: sudo usermod -aG ${group} $USER, then log in again`,
    };
  }
}

function epcBytes(nodeDir: string): number | undefined {
  let total = 0;
  let found = false;
  let nodes: string[] = [];
  try {
    nodes = readdirSync(nodeDir).filter((n) => /^node\d+$/.test(n));
  } catch {
    return undefined;
  }
  for (const n of nodes) {
    const text = readOr(`${nodeDir}/${n}/x86/sgx_total_bytes`, '');
    if (text.trim() !== '' && Number.isFinite(Number(text.trim()))) {
      total += Number(text.trim());
      found = true;
    }
  }
  return found ? total : undefined;
}

export function probe(sources: Partial<ProbeSources> = {}): Probe {
  const src = { ...SOURCES, ...sources };
  const cpu = parseCpuinfo(readOr(src.cpuinfo, ''));
  const b = loadBinding();
  const epc = epcBytes(src.nodeDir);
  return {
    cpuModel: cpu.model,
    flags: { sgx: cpu.flags.has('sgx'), sgx_lc: cpu.flags.has('sgx_lc') },
    kernel: release(),
    devices: KNOWN_DEVICES.map((d) => inspectDevice(d.path, d.driver, src.groupFile)),
    ...(epc === undefined ? {} : { epcBytes: epc }),
    binding: b.ok ? { built: true } : { built: false, reason: b.reason },
  };
}

export type DeviceChoice = { readonly ok: true; readonly path: string; readonly driver: Driver } | { readonly ok: false; readonly reason: string };

/** Driver of a user-given device path: by name; anything unknown is tried as mainline (ENOTTY then says it is not SGX). */
export function driverOf(path: string, explicit?: string): Driver {
  if (explicit === 'isgx' || explicit === 'mainline') return explicit;
  return /isgx/.test(path) ? 'isgx' : 'mainline';
}

/**
 * The device the backend will use: `requested` (the `--device PATH` option) or the first known
 * node that exists. Reasons name what is missing, e.g. "no SGX device: /dev/sgx_enclave and
 * /dev/isgx absent; CPU flag sgx not set".
 */
export function chooseDevice(p: Probe, requested?: string, driver?: string): DeviceChoice {
  if (isEmulatedPath(requested)) {
    const emu = emulatedDevice(requested!);
    return emu ? { ok: true, path: emu.path, driver: emu.driver } : { ok: false, reason: emulatedDeviceProblem(requested!)! };
  }
  if (requested !== undefined && requested !== '') {
    const known = KNOWN_DEVICES.find((d) => d.path === requested);
    const info = p.devices.find((d) => d.path === requested) ?? inspectDevice(requested, driverOf(requested, driver));
    if (!info.exists) return { ok: false, reason: `device ${requested} does not exist${p.flags.sgx ? '' : '; CPU flag sgx not set'}` };
    if (!info.accessible) return { ok: false, reason: info.problem ?? `cannot open ${requested}` };
    return { ok: true, path: requested, driver: known?.driver ?? driverOf(requested, driver) };
  }
  const usable = p.devices.find((d) => d.accessible);
  if (usable) return { ok: true, path: usable.path, driver: usable.driver };
  const present = p.devices.filter((d) => d.exists);
  if (present.length > 0) return { ok: false, reason: present.map((d) => d.problem).join('; ') };
  const flagNote = p.flags.sgx ? 'CPU flag sgx is set (is the driver loaded? Linux 5.11+ with CONFIG_X86_SGX, or the isgx module)' : 'CPU flag sgx not set';
  return { ok: false, reason: `no SGX device: /dev/sgx_enclave and /dev/isgx absent; ${flagNote}` };
}
