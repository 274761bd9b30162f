/** A progress line on stderr for long produce/consume runs, only when stderr is a terminal. */
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly verb: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(count: number): void {
    if (this.stream.isTTY !== true) return;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    this.shown = true;
    this.stream.write(`\r${this.verb} ${count} records`);
  }

  /** Clears the line so that what follows starts clean. */
  done(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }
}
