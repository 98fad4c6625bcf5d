/** `eaddbench list [workloads|designs|profiles|suites] [--json]`. */
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { formatSize } from '../units.js';
import { KNOBS, PRESETS, canonicalKnobs } from '../../backends/designs.js';
import { listProfiles } from '../../backends/model/profiles.js';
import { WORKLOADS } from '../../workloads/index.js';
import { SUITES } from '../../workloads/suites.js';
import type { ParamSpec } from '../../workloads/types.js';

const KINDS = ['workloads', 'designs', 'profiles', 'suites'] as const;
type Kind = (typeof KINDS)[number];

function range(p: ParamSpec): string {
  if (p.kind === 'bool') return '0 | 1';
  if (p.kind === 'choice') return (p.choices ?? []).join(' | ');
  if (p.kind === 'file') return 'path';
  const show = (v: number) => (p.kind === 'size' ? formatSize(v) : String(v));
  return `${p.min !== undefined ? show(p.min) : '−∞'} … ${p.max !== undefined ? show(p.max) : '∞'}`;
}

function entries(kind: Kind): Record<string, unknown>[] {
  switch (kind) {
    case 'workloads':
      return WORKLOADS.map((w) => ({
        name: w.name,
        description: w.description,
        params: w.params.map((p) => ({
          name: p.name,
          kind: p.kind,
          unit: p.unit,
          default: p.default,
          min: p.min,
          max: p.max,
          choices: p.choices,
          description: p.description,
        })),
      }));
    case 'designs':
      return [
        ...PRESETS.map((p) => ({
          name: p.name,
          type: 'preset',
          description: p.description,
          counterpart: p.counterpart,
          knobs: p.knobs,
          knob_string: canonicalKnobs(p.knobs),
        })),
        ...KNOBS.map((k) => ({ name: k.name, type: 'knob', values: k.values, description: k.description })),
      ];
    case 'profiles':
      return listProfiles().map((p) => ({ ...p }));
    case 'suites':
      return SUITES.map((s) => ({ name: s.name, description: s.description, entries: s.entries }));
  }
}

function text(kind: Kind): string {
  const out: string[] = [];
  switch (kind) {
    case 'workloads':
      for (const w of WORKLOADS) {
        out.push(`${w.name} — ${w.description}`);
        for (const p of w.params) {
          const def = p.kind === 'size' && typeof p.default === 'number' ? formatSize(p.default) : String(p.default);
          out.push(`    ${p.name.padEnd(14)} ${p.unit.padEnd(8)} default ${def.padEnd(8)} range ${range(p).padEnd(20)} ${p.description}`);
        }
      }
      break;
    case 'designs':
      out.push('Presets:');
      for (const p of PRESETS)
        out.push(
          `  ${p.name.padEnd(12)} ${p.description}\n  ${''.padEnd(12)} real counterpart: ${p.counterpart}\n  ${''.padEnd(12)} knobs: ${canonicalKnobs(p.knobs)}`,
        );
      out.push('', 'Knobs (custom designs: --design base=per-mm,knob=value,...):');
      for (const k of KNOBS) out.push(`  ${k.name.padEnd(10)} ${k.values.padEnd(26)} ${k.description}`);
      break;
    case 'profiles':
      for (const p of listProfiles()) out.push(`${p.name.padEnd(16)} ${p.description}`);
      break;
    case 'suites':
      for (const s of SUITES) out.push(`${s.name.padEnd(10)} ${s.description} (${s.entries.length} entries)`);
      break;
  }
  return out.join('\n') + '\n';
}

export const command: Command = {
  name: 'list',
  summary: 'list workloads, designs, profiles or suites with their parameters',
  help: `Usage: eaddbench list [workloads|designs|profiles|suites] [--json]

Without a kind, lists all of them. Workloads show each parameter with its unit, default and
valid range; designs show the presets and the knobs that define custom designs. With --json,
prints an array of objects with at least a 'name' field (without a kind, each also has 'kind').

Example:
  eaddbench list workloads
  eaddbench list designs --json
`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length > 1) throw new UsageError(`list takes at most one kind; valid: ${KINDS.join(', ')}`);
    const kind = positionals[0];
    if (kind !== undefined && !KINDS.includes(kind as Kind)) throw new UsageError(`unknown kind '${kind}'; valid: ${KINDS.join(', ')}`);
    const kinds: readonly Kind[] = kind ? [kind as Kind] : KINDS;
    if (values.json) {
      // Always an array of objects with a `name`; without a kind, each entry also says its `kind`.
      const json = kind ? entries(kind as Kind) : kinds.flatMap((k) => entries(k).map((e) => ({ kind: k.replace(/s$/, ''), ...e })));
      process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    } else {
      process.stdout.write(kinds.map((k) => (kind ? '' : `# ${k}\n`) + text(k)).join('\n'));
    }
    return 0;
  },
};
