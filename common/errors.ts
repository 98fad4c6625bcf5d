/** Errors that end a command with a given exit status (hyperfine-style: one error exit in main). */

/** Bad usage or bad input: exit 2. The message names the flag, field or record. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A check failed (a failed case, a regression, an invalid signature): exit 1. */
export class CheckFailed extends Error {
  readonly exitCode = 1;
}

/** Exit status of an internal error (a bug): EX_SOFTWARE of sysexits(3), distinct from 1 and 2. */
export const INTERNAL_ERROR_EXIT = 70;

/** Where an internal error tells the user to go. */
export const REPORT_BUGS = 'please report it on the eaddbench issue tracker with the command line, this output and `eaddbench --version`';
