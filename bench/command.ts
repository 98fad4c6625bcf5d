/** The interface every `eaddbench` subcommand implements. */
export interface Command {
  readonly name: string;
  /** One line for `eaddbench --help`. */
  readonly summary: string;
  /** Full `--help` text, with a worked example. */
  readonly help: string;
  /** Runs the command; resolves to the exit status. Throws UsageError for bad input (exit 2). */
  run(argv: readonly string[]): Promise<number>;
}
