import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a peer's command-line entry needs from the CLI dispatcher. */
export interface CommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Ends a long-running command; without it, SIGINT/SIGTERM do. */
  signal?: AbortSignal;
}

/** Resolves when `signal` aborts, or on the first SIGINT/SIGTERM when there is none. */
export function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal !== undefined) {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

type ArgOptions = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues<O extends ArgOptions> = ReturnType<typeof parseArgs<{ options: O & { help: { type: 'boolean'; short: 'h' } } }>>['values'];

/**
 * Parses a command's arguments (plus --help/-h). Returns the values, or the exit code when
 * the command is already done: 0 after printing the usage, 2 after a usage error.
 */
export function parseCommandArgs<O extends ArgOptions>(args: readonly string[], options: O, usage: string, io: CommandIo): ParsedValues<O> | number {
  let values: ParsedValues<O>;
  try {
    ({ values } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } } }));
  } catch (err) {
    return usageError((err as Error).message, usage, io);
  }
  if ((values as { help?: boolean }).help === true) {
    io.stdout.write(usage);
    return 0;
  }
  return values;
}

export function usageError(message: string, usage: string, io: CommandIo): 2 {
  io.stderr.write(`${message}\n${usage}`);
  return 2;
}
