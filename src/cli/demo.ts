import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { buildGateway, type Gateway } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log/logger.js';
import type { Io } from '../main.js';
import { DeviceSimulator, formatTranscript, runConversation, startSampleUpstream, type SampleUpstream } from '../peers/index.js';

const DEMO_USER = { name: 'alice', password: 'alice123', domain: 'example.test' };

/**
 * `easgate demo` (npm run demo): the sample ActiveSync server and the gateway in front of it
 * on embedded defaults, one simulated phone synced through it, then instructions for
 * trying it by hand. Runs until Ctrl-C.
 */
export async function runDemo(_args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const upstream = await startSampleUpstream({ seedMails: 5 });
  const token = `demo-${randomBytes(18).toString('base64url')}`;
  let gateway: Gateway;
  try {
    gateway = await startDemoGateway(upstream, io, token);
  } catch (err) {
    await upstream.close();
    throw err;
  }
  const base = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`;
  const url = `${base}/Microsoft-Server-ActiveSync`;
  io.stdout.write(`\neasgate demo\n  sample ActiveSync server: ${upstream.url}\n  gateway:                  ${url}\n\nThe gateway's request log, one line per request:\n`);

  // One access rule, so that the demo shows a refusal too.
  await gateway.data.store.putRule({ id: 'demo-block-windows-phone', characteristic: 'DeviceType', queryString: 'WP8', accessLevel: 'Block' });
  await gateway.data.runtime.reload();
  const user = `${DEMO_USER.name}@${DEMO_USER.domain}`;
  for (const [label, options] of [
    ['a simulated iPhone (EAS 16.1), allowed', { deviceId: 'DEMOPHONE01', deviceType: 'iPhone', protocolVersion: '16.1' }],
    ['a simulated Windows Phone (EAS 14.1), blocked by the rule demo-block-windows-phone', { deviceId: 'DEMOLUMIA01', deviceType: 'WP8', protocolVersion: '14.1' }],
  ] as const) {
    const sim = new DeviceSimulator({ url, user, password: DEMO_USER.password, ...options });
    try {
      const transcript = await runConversation(sim);
      io.stdout.write(`\nWhat ${label} saw:\n${formatTranscript(transcript, url)}\n`);
    } finally {
      await sim.close();
    }
  }
  io.stdout.write(
    [
      '',
      'Try it by hand (user alice, password alice123):',
      `  curl -i -X OPTIONS -u alice:alice123 '${url}'`,
      `  npx easgate simulate --url '${url}' --user alice --password alice123 --version 14.1 --base64`,
      `  curl -s ${base}/readyz`,
      '',
      'The admin API and CLI (this demo\'s admin token is made anew at each start):',
      `  curl -s -H 'Authorization: Bearer ${token}' '${base}/api/v1/associations'`,
      `  EASGATE_API_URL=${base} EASGATE_API_TOKEN=${token} npx easgate devices list`,
      '',
      'Every request through the gateway is printed below. Ctrl-C stops the demo.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (signal !== undefined) signal.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await gateway.stop();
  await upstream.close();
  io.stdout.write('demo stopped\n');
  return 0;
}

/** The gateway on EASGATE_PORT or 8080, or on a free port when that one is taken. */
async function startDemoGateway(upstream: SampleUpstream, io: Io, token: string): Promise<Gateway> {
  const tryPort = async (port: string): Promise<Gateway> => {
    const config = loadConfig({ ...process.env, EASGATE_UPSTREAM_URL: upstream.url, EASGATE_HOST: '127.0.0.1', EASGATE_PORT: port, EASGATE_ADMIN_TOKEN: token });
    const gw = await buildGateway(config, { logger: createLogger(config.logLevel, compactLog(io)) });
    await gw.listen();
    return gw;
  };
  const wanted = process.env.EASGATE_PORT ?? '8080';
  try {
    return await tryPort(wanted);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    io.stdout.write(`port ${wanted} is taken; using a free port instead\n`);
    return tryPort('0');
  }
}

/** Prints the gateway's request log lines as one short line each (the JSON log is for machines). */
function compactLog(io: Io): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        const l = JSON.parse(line) as Record<string, unknown>;
        if (l.msg !== 'request') {
          if (l.level === 'warn' || l.level === 'error') io.stderr.write(`  [${String(l.level)}] ${String(l.msg)}\n`);
          continue;
        }
        const who = [l.user, l.deviceType, l.deviceId].filter(Boolean).join(' ');
        io.stdout.write(`  ${String(l.cmd).padEnd(16)} ${String(l.status)}  ${String(l.ms).padStart(6)} ms  ${who}${l.error ? `  ${String(l.error)}` : ''}\n`);
      }
      cb();
    },
  });
}
