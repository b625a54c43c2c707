import { parse, type Options, type Parsed } from './args.js';
import { ApiCallError, ApiClient, UsageError, type AdminIo } from './client.js';

/** What a subcommand gets: its parsed arguments, the API client, the output streams, the clock. */
export interface Ctx {
  p: Parsed;
  api: ApiClient;
  io: AdminIo;
  now: number;
}

export interface Sub {
  options: Options;
  run(ctx: Ctx): Promise<number>;
}

/**
 * Runs `easgate <verb> <sub> …`: --help prints the usage; a usage error exits 2, an API
 * error (printed as `code: message`) or a network failure exits 1.
 */
export async function runVerb(verb: string, usage: string, subs: Record<string, Sub>, args: readonly string[], io: AdminIo): Promise<number> {
  const [name, ...rest] = args;
  const single = subs[''];
  const sub = single ?? (name === undefined ? undefined : subs[name]);
  const subArgs = single !== undefined ? args : rest;
  if (name === '--help' || name === '-h' || (single === undefined && name === 'help')) {
    io.stdout.write(usage);
    return 0;
  }
  try {
    if (sub === undefined) throw new UsageError(name === undefined ? `easgate ${verb}: a subcommand is missing` : `easgate ${verb}: unknown subcommand '${name}'`);
    const p = parse(subArgs, sub.options);
    if (p.values.help === true) {
      io.stdout.write(usage);
      return 0;
    }
    return await sub.run({ p, api: ApiClient.fromEnv(io.env ?? process.env), io, now: Date.now() });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`easgate ${verb}: ${err.message}\n${usage}`);
      return 2;
    }
    if (err instanceof ApiCallError) {
      io.stderr.write(`easgate ${verb}: ${err.code}: ${err.message}\n`);
      return 1;
    }
    const e = err as Error & { code?: string };
    io.stderr.write(`easgate ${verb}: cannot reach the admin API (${e.code ?? e.message})\n`);
    return 1;
  }
}
