import { buildGateway, type Gateway } from './app.js';
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { PolicyError } from './policy/index.js';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `easgate serve`: reads the configuration (a bad one stops here with a message naming
 * each bad variable), starts the gateway and stops it gracefully on SIGTERM or SIGINT.
 */
export async function runServe(io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`easgate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let gateway: Gateway;
  try {
    gateway = await buildGateway(config);
  } catch (err) {
    if (err instanceof PolicyError) {
      io.stderr.write(`easgate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await gateway.listen();
  return waitForSignal(gateway);
}

/** Resolves with the exit code once a SIGTERM/SIGINT-initiated stop has finished. */
export function waitForSignal(gateway: Gateway): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      gateway.log.info({ signal }, 'stopping');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      gateway.stop().then(
        () => resolve(0),
        (err: unknown) => {
          gateway.log.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
