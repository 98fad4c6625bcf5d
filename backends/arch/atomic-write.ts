/** Writes a whole file or nothing: a temporary file next to the target, then rename. */
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: Buffer | string, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
