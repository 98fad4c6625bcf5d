/** Errors that end a command with a given exit status (hyperfine-style: one error exit in main). */

/** Bad usage or bad input: exit 2. The message names the flag, field or record. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A check failed (a failed case, a regression, an invalid signature): exit 1. */
export class CheckFailed extends Error {
  readonly exitCode = 1;
}
