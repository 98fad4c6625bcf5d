import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'compare',
  summary: '(not built yet)',
  help: 'eaddbench compare: not built yet',
  async run(): Promise<number> {
    throw new UsageError('compare: not built yet');
  },
};
