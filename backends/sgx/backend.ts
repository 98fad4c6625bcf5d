import type { Backend } from '../types.js';

export const backend: Backend = {
  name: 'sgx',
  clock: 'wall',
  async runCase() {
    return { outcome: 'error', detail: 'sgx backend not built yet' };
  },
};
