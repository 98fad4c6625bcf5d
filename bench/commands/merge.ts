import type { Command } from '../command.js';
import { parseFileCommand, requirePath } from '../../reports/args.js';
import { mergeFiles } from '../../reports/merge.js';
import { writeCsvAtomic } from '../../results/csv.js';
import { refuseIfLocked } from '../../results/writer.js';
import { checkOutputFile } from '../../common/atomic-write.js';
import { versionNote } from '../../reports/read.js';
import { SCHEMA_VERSION } from '../../results/schema.js';

const HELP = `eaddbench merge A.csv B.csv... --out C.csv

Merges results files (typically the shards of one sweep, run with --shard i/n) into one.
Rows keep their order, file by file. A row repeated exactly (same case_id and metric, same
values; run_id may differ) is kept once; the same case_id and metric with different values is
a conflict: nothing is written and the exit status is 2, naming both files and lines.
Rows of an unfinished run (an interrupted run's rows; their run_id ends in +partial) cannot be
merged with other runs, and a file whose run_ids interleave (two runs wrote it at once) is
refused: exit 2 naming the file, the line and the run_ids.
Version 1 files (no draw column) are read as draw 0; the output is written in the current
schema version.

Options:
  --out FILE   the merged CSV (written to a temporary file, then renamed)

Example:
  eaddbench run --suite default --shard 1/2 --out s1.csv
  eaddbench run --suite default --shard 2/2 --out s2.csv
  eaddbench merge s1.csv s2.csv --out results/merged.csv
`;

export const command: Command = {
  name: 'merge',
  summary: 'merge shard CSVs into one; refuses conflicting duplicates',
  help: HELP,
  async run(argv: readonly string[]): Promise<number> {
    const { values, inputs } = parseFileCommand('merge', argv, { out: { type: 'string' } }, { min: 1, what: 'at least one input CSV' }, (v) => {
      const target = requirePath('merge', 'out', typeof v['out'] === 'string' ? v['out'] : undefined, 'FILE');
      checkOutputFile(target, '--out');
      refuseIfLocked(target, '--out');
    });
    const out = requirePath('merge', 'out', values.out, 'FILE');
    const { rows, duplicates } = mergeFiles(inputs);
    writeCsvAtomic(out, rows, '--out');
    process.stderr.write(`eaddbench: read ${versionNote(inputs)}; wrote schema version ${SCHEMA_VERSION}\n`);
    process.stderr.write(
      `eaddbench: merged ${inputs.length} file(s), ${rows.length} rows${duplicates ? ` (${duplicates} exact duplicates dropped)` : ''} → ${out}\n`,
    );
    return 0;
  },
};
