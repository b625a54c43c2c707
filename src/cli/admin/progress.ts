/**
 * A progress bar on stderr, redrawn in place, only when stderr is a terminal (a log file or
 * a pipe gets no control characters).
 */
export class Progress {
  private readonly tty: boolean;
  private shown = -1;

  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly total: number,
    private readonly label: string,
  ) {
    this.tty = (err as NodeJS.WriteStream).isTTY === true && total > 0;
  }

  update(done: number): void {
    if (!this.tty) return;
    const pct = Math.floor((done / this.total) * 100);
    if (pct === this.shown) return;
    this.shown = pct;
    const width = 30;
    const full = Math.round((done / this.total) * width);
    this.err.write(`\r${this.label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${this.total} ${pct}%`);
  }

  end(): void {
    if (this.tty && this.shown >= 0) this.err.write('\n');
  }
}
