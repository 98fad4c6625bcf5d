/**
 * The results contract: every CSV column and every metric, defined once.
 *
 * `docs/results.md` is generated from this module (`eaddbench schema --markdown`), and the
 * CSV reader, the report and the regression gate take units and directions from here.
 */

/** Bumped when a column is added, removed or changes meaning. */
export const SCHEMA_VERSION = 2;

/** Versions the readers accept: 1 has no `draw` column (every row is the nominal profile). */
export const READABLE_VERSIONS = [1, 2] as const;

export const OUTCOMES = ['ok', 'rejected', 'deadlock', 'error', 'skipped'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const CLOCKS = ['model', 'wall'] as const;
export type Clock = (typeof CLOCKS)[number];

export interface ColumnDef {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number';
  readonly meaning: string;
}

/** CSV columns, in file order. */
export const COLUMNS = [
  { name: 'schema_version', type: 'integer', meaning: `Version of this schema (currently ${SCHEMA_VERSION}).` },
  {
    name: 'run_id',
    type: 'string',
    meaning: 'Identifier of the invocation that produced the row (UTC time and process id). The only column that differs between two identical runs.',
  },
  {
    name: 'case_id',
    type: 'string',
    meaning: 'Stable hash of (backend, design, workload, profile, params, seed, repeat, and the draw when it is not 0); equal inputs give equal ids.',
  },
  { name: 'backend', type: 'string', meaning: '`model` (the discrete-event model) or `sgx` (real hardware).' },
  {
    name: 'design',
    type: 'string',
    meaning: 'Design preset name (`per-mm`, `mm-less`, `attach`, `per-mm-sync`) or a canonical knob string for a custom design.',
  },
  { name: 'workload', type: 'string', meaning: 'Workload name (see `eaddbench list workloads`).' },
  { name: 'profile', type: 'string', meaning: 'Cost profile name (model) or the machine description (sgx).' },
  { name: 'params', type: 'string', meaning: 'Workload parameters as `key=value` pairs joined by `;`, sorted by key; sizes in bytes.' },
  { name: 'seed', type: 'integer', meaning: "Seed of the case's random streams (`--seed`)." },
  { name: 'repeat', type: 'integer', meaning: 'Repeat index, 0-based (`--repeat`).' },
  {
    name: 'draw',
    type: 'integer',
    meaning:
      "Cost draw (`--draws N`): 0 is the nominal profile; 1..N are cost vectors drawn from the profile's ranges (Latin hypercube, log-uniform, seeded by `--seed`); the same draw is the same cost vector in every case of the run. Added in version 2; a version 1 file reads as draw 0.",
  },
  { name: 'clock', type: 'string', meaning: '`model` (virtual time of the simulation) or `wall` (a real clock on the machine).' },
  { name: 'metric', type: 'string', meaning: 'Metric name (table below); `case` on the single row of a case that did not produce metrics.' },
  { name: 'unit', type: 'string', meaning: 'Unit of `value`.' },
  { name: 'value', type: 'number', meaning: 'The measured or modeled value, written without exponent notation; empty when the case produced no value.' },
  { name: 'outcome', type: 'string', meaning: `One of ${OUTCOMES.map((o) => '`' + o + '`').join(', ')}.` },
  {
    name: 'detail',
    type: 'string',
    meaning: 'Reason for a non-`ok` outcome (rejection reason, deadlock cycle, error message, skip reason) or a note on the metric.',
  },
] as const satisfies readonly ColumnDef[];

export type ColumnName = (typeof COLUMNS)[number]['name'];
export const COLUMN_NAMES: readonly ColumnName[] = COLUMNS.map((c) => c.name);

export type Direction = 'higher' | 'lower' | 'none';

export interface MetricDef {
  readonly name: string;
  readonly unit: string;
  readonly type: 'integer' | 'number';
  /** Which way is better; `none` for descriptive counts the gate does not judge. */
  readonly better: Direction;
  readonly meaning: string;
}

const m = (name: string, unit: string, type: 'integer' | 'number', better: Direction, meaning: string): MetricDef => ({
  name,
  unit,
  type,
  better,
  meaning,
});

/** Every metric a backend may emit. */
export const METRICS: readonly MetricDef[] = [
  m('throughput', 'pages/s', 'number', 'higher', 'Enclave pages added per second over the whole case (all builders), until the last page is in EPC.'),
  m(
    'build_time_p50',
    'ns',
    'number',
    'lower',
    'Median time to build one enclave: first ECREATE ioctl to the enclave being usable (pages in EPC; after EINIT when `init=1`).',
  ),
  m('build_time_p99', 'ns', 'number', 'lower', '99th percentile of the build time.'),
  m('build_time_max', 'ns', 'number', 'lower', 'Longest build time.'),
  m('ioctl_latency_p50', 'ns', 'number', 'lower', 'Median time the caller spends in one add ioctl (ADD_PAGE or ADD_PAGES), entry to return.'),
  m('ioctl_latency_p99', 'ns', 'number', 'lower', '99th percentile of the add ioctl time.'),
  ...(['10', '25', '75', '90'] as const).flatMap((q) => [
    m(
      `ioctl_latency_p${q}`,
      'ns',
      'number',
      'lower',
      `${q}th percentile of the add ioctl time (with p50 and p99, the distribution the reports draw as a CDF).`,
    ),
    m(`ready_latency_p${q}`, 'ns', 'number', 'lower', `${q}th percentile of the ready latency.`),
  ]),
  m(
    'ready_latency_p50',
    'ns',
    'number',
    'lower',
    'Median time from a request for an enclave page or enclave to it being usable (page in EPC; for `handover`: client arrival to a ready enclave).',
  ),
  m('ready_latency_p99', 'ns', 'number', 'lower', '99th percentile of the ready latency.'),
  m('queue_depth_max', 'requests', 'integer', 'lower', 'Most add requests waiting in the worker queue at once (0 for `caller` execution).'),
  m('queue_depth_mean', 'requests', 'number', 'lower', 'Time-weighted mean number of add requests waiting in the worker queue.'),
  m('worker_utilization', 'ratio', 'number', 'none', "Fraction of the case's duration the queue workers were busy (0 for `caller` execution)."),
  m(
    'mmap_lock_wait_p99',
    'ns',
    'number',
    'lower',
    "99th percentile of the wait to acquire an mm's `mmap_lock`/`mmap_sem` (read or write), over all acquisitions.",
  ),
  m('encl_mutex_wait_p99', 'ns', 'number', 'lower', "99th percentile of the wait to acquire an enclave's `encl->lock` mutex."),
  m('epc_evictions', 'pages', 'integer', 'lower', 'EPC pages written back (EWB) by direct or background reclaim.'),
  m('eldu', 'pages', 'integer', 'lower', 'Evicted pages loaded back (ELDU).'),
  m(
    'ipis',
    'count',
    'integer',
    'lower',
    'Inter-processor interrupts sent, counted per target CPU: TLB shootdowns of zapped PTEs, and the IPIs an EWB still SGX_NOT_TRACKED after ETRACK sends when threads run inside the enclave (none during a build).',
  ),
  m('va_pages', 'pages', 'integer', 'none', 'Version-array EPC pages allocated.'),
  m('reclaim_time', 'ns', 'number', 'lower', 'CPU time spent in EPC reclaim (direct and background).'),
  m('app_latency_p99', 'ns', 'number', 'lower', "99th percentile latency of the co-running application's operations (page faults, mmap/munmap)."),
  m('app_latency_p50', 'ns', 'number', 'lower', "Median latency of the co-running application's operations."),
  m('ebusy', 'count', 'integer', 'none', 'Ioctls that returned EBUSY (concurrent ioctl on the same enclave fd).'),
  m(
    'enomem',
    'count',
    'integer',
    'lower',
    'Create and add ioctls that ended in ENOMEM: mainline when the active list is empty (even with pages in flight in another reclaimer), isgx only when the VA pages pass the EPC size − 2.',
  ),
  m(
    'backing_bytes',
    'bytes',
    'integer',
    'lower',
    'Most shmem backing RAM the enclaves held at once (page contents, PCMD not counted): a copy of every added page with source=copy (isgx copies each page there at ADD_PAGE), only the evicted pages with source=pin.',
  ),
  m(
    'epc_capacity',
    'bytes',
    'integer',
    'none',
    "Usable EPC of the machine the case ran on (model: the profile's `epc_bytes`); charts draw it as the EPC line.",
  ),
  m('pages_added', 'pages', 'integer', 'none', 'Pages EADDed in the case.'),
  m('teardown_time', 'ns', 'number', 'lower', "Time from the owner's unmap/exit or close to the enclave's EPC pages being freed."),
  m(
    'destroy_time_p50',
    'ns',
    'number',
    'lower',
    "With `destroy=1`: median over enclaves of the destroy phase, the owner's munmap and close to the last EPC page freed (EREMOVE of resident pages, VA pages and SECS; the backing freed).",
  ),
  m('destroy_time_p99', 'ns', 'number', 'lower', '99th percentile of the destroy time.'),
  m('destroy_time_max', 'ns', 'number', 'lower', 'Longest destroy time.'),
  m(
    'lifecycle_time_p50',
    'ns',
    'number',
    'lower',
    'With `destroy=1`: median over enclaves of first ECREATE ioctl to destroy done (create + build + destroy, what published whole-enclave timings measure).',
  ),
  m('lifecycle_time_p99', 'ns', 'number', 'lower', '99th percentile of the lifecycle time.'),
  m('lifecycle_time_max', 'ns', 'number', 'lower', 'Longest lifecycle time.'),
  m('ecreate_time', 'ns', 'number', 'lower', 'Time of the CREATE ioctl (ECREATE).'),
  m('einit_time', 'ns', 'number', 'lower', 'Time of the INIT ioctl (for `per-mm`, includes the flush of queued adds).'),
  m('per_page_time', 'ns', 'number', 'lower', 'Build time divided by the pages added (ns per page).'),
  m(
    'reclaim_per_page',
    'ns',
    'number',
    'lower',
    'Reclaim CPU time per evicted page (`reclaim_time` / `epc_evictions`): grows with the mms that map the victim enclave.',
  ),
];

const METRIC_INDEX = new Map(METRICS.map((d) => [d.name, d]));

/** The metric definition, or undefined when the name is unknown. */
export function metricDef(name: string): MetricDef | undefined {
  return METRIC_INDEX.get(name);
}

/** One CSV row; `value` is null when the case produced no value. */
export interface Row {
  schema_version: number;
  run_id: string;
  case_id: string;
  backend: string;
  design: string;
  workload: string;
  profile: string;
  params: string;
  seed: number;
  repeat: number;
  draw: number;
  clock: Clock;
  metric: string;
  unit: string;
  value: number | null;
  outcome: Outcome;
  detail: string;
}

/** Markdown documentation of the schema (for docs/results.md). */
export function schemaMarkdown(): string {
  const lines: string[] = [];
  lines.push('# Results schema');
  lines.push('');
  lines.push('<!-- Generated by `eaddbench schema --markdown` from results/schema.ts. Do not edit. -->');
  lines.push('');
  lines.push(`Schema version ${SCHEMA_VERSION}. Results are tidy CSV: one row per (case, metric).`);
  lines.push(
    `The readers (\`report\`, \`compare\`, \`merge\`) accept versions ${READABLE_VERSIONS.join(' and ')} and say which one they read; \`merge\` writes version ${SCHEMA_VERSION}.`,
  );
  lines.push(
    'A case that ends without metrics (`rejected`, `deadlock`, `error`, `skipped`) has one row with metric `case`, an empty value and the reason in `detail`.',
  );
  lines.push('');
  lines.push('## Columns');
  lines.push('');
  lines.push('| column | type | meaning |');
  lines.push('|---|---|---|');
  for (const c of COLUMNS) lines.push(`| \`${c.name}\` | ${c.type} | ${c.meaning} |`);
  lines.push('');
  lines.push('## Metrics');
  lines.push('');
  lines.push('| metric | unit | type | better | meaning |');
  lines.push('|---|---|---|---|---|');
  for (const d of METRICS) lines.push(`| \`${d.name}\` | ${d.unit} | ${d.type} | ${d.better} | ${d.meaning} |`);
  lines.push('');
  return lines.join('\n');
}
