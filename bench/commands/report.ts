import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'report',
  summary: '(not built yet)',
  help: 'eaddbench report: not built yet',
  async run(): Promise<number> {
    throw new UsageError('report: not built yet');
  },
};
