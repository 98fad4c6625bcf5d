import type { Backend } from '../types.js';

export const backend: Backend = {
  name: 'model',
  clock: 'model',
  async runCase() {
    return { outcome: 'error', detail: 'model backend not built yet' };
  },
};
