/** Progress on stderr: a redrawn line on a terminal, throttled plain lines otherwise. */

export class Progress {
  private done = 0;
  private lastPlain = 0;
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  tick(label: string): void {
    this.done++;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : 0;
    const text = `[${this.done}/${this.total}] ${elapsed.toFixed(1)}s elapsed, ~${eta.toFixed(1)}s left — ${label}`;
    if (this.stream.isTTY) {
      const width = this.stream.columns ?? 100;
      this.stream.write(`\r\x1b[K${text.slice(0, width - 1)}`);
      if (this.done === this.total) this.stream.write('\n');
    } else if (this.total <= 50 || this.done === this.total || Date.now() - this.lastPlain >= 2000) {
      this.lastPlain = Date.now();
      this.stream.write(`${text}\n`);
    }
  }

  /** End a redrawn line before other output. */
  break(): void {
    if (this.stream.isTTY && this.done < this.total) this.stream.write('\n');
  }
}
