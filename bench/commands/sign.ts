import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'sign',
  summary: '(not built yet)',
  help: 'eaddbench sign: not built yet',
  async run(): Promise<number> {
    throw new UsageError('sign: not built yet');
  },
};
