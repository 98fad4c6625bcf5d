/**
 * The package's own name and version, read from its package.json (the one source of the
 * version number; `eaddbench --version` prints it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

/** Finds the nearest package.json named `eaddbench` above this module (source or dist). */
export function packageInfo(): PackageInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'eaddbench' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
    } catch {
      /* no package.json at this level: look further up */
    }
    dir = path.dirname(dir);
  }
  throw new Error('package.json of eaddbench not found above the installed files');
}
