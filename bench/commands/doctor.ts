import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'doctor',
  summary: '(not built yet)',
  help: 'eaddbench doctor: not built yet',
  async run(): Promise<number> {
    throw new UsageError('doctor: not built yet');
  },
};
