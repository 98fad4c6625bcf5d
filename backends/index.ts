/** Backends are loaded on demand so a model run never loads the native binding. */
import type { Backend, BackendName } from './types.js';

export const BACKEND_NAMES: readonly BackendName[] = ['model', 'sgx'];

export async function loadBackend(name: BackendName): Promise<Backend> {
  switch (name) {
    case 'model':
      return (await import('./model/backend.js')).backend;
    case 'sgx':
      return (await import('./sgx/backend.js')).backend;
  }
}
