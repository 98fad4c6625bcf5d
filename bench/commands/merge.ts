import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'merge',
  summary: '(not built yet)',
  help: 'eaddbench merge: not built yet',
  async run(): Promise<number> {
    throw new UsageError('merge: not built yet');
  },
};
