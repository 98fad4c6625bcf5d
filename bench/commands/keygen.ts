import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'keygen',
  summary: '(not built yet)',
  help: 'eaddbench keygen: not built yet',
  async run(): Promise<number> {
    throw new UsageError('keygen: not built yet');
  },
};
