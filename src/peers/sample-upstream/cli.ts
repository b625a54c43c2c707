/**
 * `easgate sample-upstream [--port N] [--host H] [--require-provisioning]
 *  [--min-heartbeat S] [--max-heartbeat S] [--quiet]`: runs the sample EAS upstream
 * until Ctrl-C, one line per request.
 */
import { parseCommandArgs, untilStopped, usageError, type CommandIo } from '../common/io.js';
import { startSampleUpstream } from './server.js';

const USAGE = `usage: easgate sample-upstream [--port N] [--host H] [--require-provisioning]
                               [--min-heartbeat SECONDS] [--max-heartbeat SECONDS] [--quiet]
`;

function whole(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} takes a whole number ${min}..${max}, not "${value}"`);
  return n;
}

export async function runSampleUpstreamCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const values = parseCommandArgs(
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'require-provisioning': { type: 'boolean' },
      'min-heartbeat': { type: 'string' },
      'max-heartbeat': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;
  let numbers;
  try {
    numbers = {
      port: whole('port', values.port, 0, 65535) ?? 0,
      minHeartbeatSeconds: whole('min-heartbeat', values['min-heartbeat'], 1, 3540),
      maxHeartbeatSeconds: whole('max-heartbeat', values['max-heartbeat'], 1, 86400),
    };
  } catch (err) {
    return usageError((err as Error).message, USAGE, io);
  }
  let upstream;
  try {
    upstream = await startSampleUpstream({
      ...numbers,
      host: values.host,
      requireProvisioning: values['require-provisioning'] === true,
      log: values.quiet === true ? undefined : (line) => io.stdout.write(`${line}\n`),
    });
  } catch (err) {
    io.stderr.write(`sample-upstream: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    `sample EAS upstream listening at ${upstream.url}\n` +
      'users: alice / alice123, bob / bob123 (domain example.test)\n' +
      `try:   easgate simulate --url ${upstream.url} --user alice --password alice123\n`,
  );
  await untilStopped(io.signal);
  await upstream.close();
  return 0;
}
