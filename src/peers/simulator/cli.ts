/**
 * `easgate simulate --url URL --user U --password P [--device-id ID] [--device-type T]
 *  [--version 14.1] [--base64] [--ping SECONDS] [--send-mail] [--json]`: runs one phone
 * conversation and prints its transcript. The password never appears in the output.
 */
import { isProtocolVersion, PROTOCOL_VERSIONS } from '../common/protocol.js';
import { parseCommandArgs, usageError, type CommandIo } from '../common/io.js';
import { DeviceSimulator } from './device-simulator.js';
import { formatTranscript } from './format.js';

const USAGE = `usage: easgate simulate --url URL --user USER --password PASSWORD
                        [--device-id ID] [--device-type TYPE] [--version ${PROTOCOL_VERSIONS.join('|')}]
                        [--base64] [--ping SECONDS] [--send-mail] [--json]
  The password may come from EASGATE_SIMULATE_PASSWORD instead of --password.
`;

export async function runSimulateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const values = parseCommandArgs(
    args,
    {
      url: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'device-id': { type: 'string' },
      'device-type': { type: 'string' },
      version: { type: 'string' },
      base64: { type: 'boolean' },
      ping: { type: 'string' },
      'send-mail': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;
  const password = values.password ?? process.env.EASGATE_SIMULATE_PASSWORD;
  const version = values.version ?? '14.1';
  const ping = values.ping === undefined ? undefined : Number(values.ping);
  const problem =
    values.url === undefined ? '--url is required'
    : values.user === undefined ? '--user is required'
    : password === undefined ? '--password (or EASGATE_SIMULATE_PASSWORD) is required'
    : !isProtocolVersion(version) ? `--version takes one of ${PROTOCOL_VERSIONS.join(', ')}`
    : ping !== undefined && !(Number.isInteger(ping) && ping > 0) ? '--ping takes whole seconds'
    : undefined;
  if (problem !== undefined) return usageError(problem, USAGE, io);
  let sim: DeviceSimulator;
  try {
    sim = new DeviceSimulator({
      url: values.url!,
      user: values.user!,
      password: password!,
      deviceId: values['device-id'],
      deviceType: values['device-type'],
      protocolVersion: version as (typeof PROTOCOL_VERSIONS)[number],
      queryEncoding: values.base64 === true ? 'base64' : 'plain',
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  try {
    const mime = values['send-mail'] === true ? sampleMime(values.user!) : undefined;
    const transcript = await sim.conversation({ ping: ping === undefined ? undefined : { heartbeatSeconds: ping }, sendMail: mime });
    io.stdout.write(values.json === true ? `${JSON.stringify(transcript, null, 2)}\n` : formatTranscript(transcript, values.url!));
    return transcript.ok ? 0 : 1;
  } catch (err) {
    io.stderr.write(`simulate: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await sim.close();
  }
}

function sampleMime(user: string): string {
  const from = user.includes('@') ? user : `${user.split('\\').pop() ?? user}@example.test`;
  return [`From: ${from}`, `To: ${from}`, 'Subject: easgate simulate', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Sent by easgate simulate.', ''].join('\r\n');
}
