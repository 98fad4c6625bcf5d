import { UsageError } from '../errors.js';
import { parseArgs } from '../../common/flags.js';
import type { Command } from '../command.js';
import { COLUMNS, METRICS, schemaMarkdown, SCHEMA_VERSION } from '../../results/schema.js';

export const command: Command = {
  name: 'schema',
  summary: 'print the results schema (columns and metrics) as Markdown or JSON',
  help: `Usage: eaddbench schema [--markdown | --json]

Prints every CSV column and every metric (unit, type, which direction is better, meaning).
docs/results.md is this command's Markdown output.

Example:
  eaddbench schema --markdown > docs/results.md
`,
  async run(argv) {
    const { values } = parseArgs({ args: [...argv], strict: true, options: { markdown: { type: 'boolean' }, json: { type: 'boolean' } } });
    if (values.json && values.markdown) throw new UsageError('--markdown and --json ask for two formats; give one (Markdown is the default)');
    if (values.json) process.stdout.write(JSON.stringify({ schema_version: SCHEMA_VERSION, columns: COLUMNS, metrics: METRICS }, null, 2) + '\n');
    else process.stdout.write(schemaMarkdown());
    return 0;
  },
};
