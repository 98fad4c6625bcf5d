/**
 * Bad input to the architectural codecs (a malformed stream, a wrong-sized SIGSTRUCT, a key
 * of the wrong size). The message names the record or byte offset and the rule broken; the
 * commands turn it into a usage error (exit 2).
 */
export class ArchInputError extends Error {
  override readonly name = 'ArchInputError';
}
