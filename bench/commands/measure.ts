import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'measure',
  summary: '(not built yet)',
  help: 'eaddbench measure: not built yet',
  async run(): Promise<number> {
    throw new UsageError('measure: not built yet');
  },
};
