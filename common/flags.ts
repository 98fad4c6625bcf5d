/**
 * Command-line flags: node's parseArgs with one rule added, for every command alike. A flag
 * that takes one value (not declared `multiple`) given twice is ambiguous (`--seed 1 --seed 2`,
 * two `--out`, `--json --json`): it is refused, naming the flag and both values, instead of the
 * last one silently winning. Errors are FlagError (bad usage, exit 2).
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';

/** A flag given in a way the command cannot take: names the flag (exit 2). */
export class FlagError extends Error {
  override readonly name = 'FlagError';
  readonly exitCode = 2;
}

/** parseArgs (node:util) that also refuses a repeated single-value flag. Same signature. */
export function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof nodeParseArgs<T>> {
  let parsed: { tokens?: readonly { kind: string; name?: string; value?: string | undefined }[] };
  try {
    parsed = nodeParseArgs({ ...config, tokens: true }) as typeof parsed;
  } catch (err) {
    throw new FlagError(err instanceof Error ? err.message : String(err));
  }
  const seen = new Map<string, string | undefined>();
  for (const tok of parsed.tokens ?? []) {
    if (tok.kind !== 'option' || tok.name === undefined) continue;
    const def = config.options?.[tok.name];
    if (def?.multiple === true) continue;
    if (seen.has(tok.name)) {
      const show = (v: string | undefined) => (v === undefined ? '' : ` ${JSON.stringify(v)}`);
      throw new FlagError(`--${tok.name} given twice (--${tok.name}${show(seen.get(tok.name))} and --${tok.name}${show(tok.value)}); give it once`);
    }
    seen.set(tok.name, tok.value);
  }
  if (config.tokens === true) return parsed as ReturnType<typeof nodeParseArgs<T>>;
  const { tokens: _tokens, ...rest } = parsed;
  return rest as ReturnType<typeof nodeParseArgs<T>>;
}
