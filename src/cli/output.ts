/** Where a command writes: results to stdout, progress and errors to stderr. */
export interface Output {
  /** A line (or block) of output. */
  line(text: string): void;
  json(value: unknown): void;
  /** Columns padded to their widest cell; `-` for empty cells. */
  table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>): void;
  /** Diagnostics and progress (stderr). */
  note(text: string): void;
  /** Whether stdout is a terminal (live progress instead of periodic lines). */
  isTTY: boolean;
  /** Rewrites the current terminal line (TTY only). */
  redraw(text: string): void;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export function createOutput(streams: Streams): Output {
  // Nothing of the stream's answer leaks out: a command returning `out.json(...)` returns no exit code.
  const write = (text: string): void => void streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    line: write,
    json: (value) => write(JSON.stringify(value, null, 2)),
    table(headers, rows) {
      const cells = rows.map((row) => row.map((cell) => (cell === undefined || cell === null || cell === '' ? '-' : String(cell))));
      const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]!.length)));
      const format = (row: readonly string[]) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('  ')
          .trimEnd();
      write([format(headers), ...cells.map(format)].join('\n'));
    },
    note: (text) => streams.stderr.write(`${text}\n`),
    isTTY: streams.stdout.isTTY === true,
    redraw: (text) => streams.stdout.write(`\r${text}\x1b[K`),
  };
}
