import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'sigstruct',
  summary: '(not built yet)',
  help: 'eaddbench sigstruct: not built yet',
  async run(): Promise<number> {
    throw new UsageError('sigstruct: not built yet');
  },
};
