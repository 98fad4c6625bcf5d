#!/usr/bin/env node
/**
 * Derives icelake-server's calibrated costs from the fitted skylake-client profile, by a stated
 * rule (icelake-server has no calibration data of its own; docs/validation.md):
 * - ENCLS instruction costs are cycles: the client's fitted ns are converted at the client
 *   profile's 2.8 GHz (its priors took 20K cycles = 7,143 ns) and back at the server's 3.0 GHz
 *   (20K cycles = 6,667 ns), i.e. × 2.8 / 3.0.
 * - Kernel software costs (copies, page-cache and page-table work) are taken unchanged: the same
 *   kernel code, no frequency or memory-system rule is claimed for them.
 * Each transferred cost gets grade `low` and that grade's default range (×/÷ 2), and a source
 * saying all this. Costs the client did not fit keep the server's own values.
 *
 * Usage: node scripts/transfer-server-costs.mjs   (rewrites backends/model/profiles/icelake-server.json)
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'backends', 'model', 'profiles');
const client = JSON.parse(readFileSync(path.join(dir, 'skylake-client.json'), 'utf8'));
const serverFile = path.join(dir, 'icelake-server.json');
const server = JSON.parse(readFileSync(serverFile, 'utf8'));
const ENCLS = new Set(['ecreate', 'eadd', 'eextend', 'einit', 'epa', 'eremove', 'eblock', 'etrack', 'ewb', 'eldu']);
const CLIENT_GHZ = 2.8;
const SERVER_GHZ = 3.0;
const r4 = (x) => Number(x.toPrecision(4));

let n = 0;
for (const [key, c] of Object.entries(client.costs)) {
  if (c.grade !== 'fitted') continue;
  const encls = ENCLS.has(key);
  const value = r4(encls ? (c.value * CLIENT_GHZ) / SERVER_GHZ : c.value);
  const rule = encls
    ? `× ${CLIENT_GHZ}/${SERVER_GHZ} (ENCLS cycles at the client's ${CLIENT_GHZ} GHz, then at this server's ${SERVER_GHZ} GHz)`
    : 'unchanged (kernel software cost: no frequency or memory-system rule claimed)';
  server.costs[key] = {
    value,
    low: Math.min(value, r4(value / 2)),
    high: Math.max(value, r4(value * 2)),
    unit: 'ns',
    source: `transferred from skylake-client's fitted ${c.value} ns ${rule} by scripts/transfer-server-costs.mjs; a claim to check on a server. Client: ${c.source}`,
    grade: 'low',
  };
  n++;
}
const tmp = `${serverFile}.tmp`;
writeFileSync(tmp, JSON.stringify(server, null, 2) + '\n');
renameSync(tmp, serverFile);
process.stdout.write(`transfer-server-costs: ${n} costs transferred to icelake-server\n`);
