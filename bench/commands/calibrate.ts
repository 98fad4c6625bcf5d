import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const command: Command = {
  name: 'calibrate',
  summary: '(not built yet)',
  help: 'eaddbench calibrate: not built yet',
  async run(): Promise<number> {
    throw new UsageError('calibrate: not built yet');
  },
};
