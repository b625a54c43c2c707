import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildGateway, type Gateway, type GatewayOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';

export interface TestGateway {
  gateway: Gateway;
  /** Base URL of the ActiveSync endpoint. */
  url: string;
  origin: string;
  /** Parsed JSON log lines of this gateway. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Where every test gateway also appends its raw log lines, for the whole-run redaction check. */
export function testLogDir(): string | undefined {
  return process.env.EASGATE_TEST_LOG_DIR;
}

/**
 * A log destination that keeps the parsed lines for the test and also appends the raw
 * lines to the run's log folder, for the whole-run redaction check (global-setup.ts).
 */
export function captureLogs(label: string): { logs: Record<string, unknown>[]; sink: Writable } {
  const logs: Record<string, unknown>[] = [];
  const dir = testLogDir();
  const file = dir === undefined ? undefined : join(dir, `${label}-${process.pid}.log`);
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      if (file !== undefined) appendFileSync(file, text);
      for (const line of text.split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logs, sink };
}

/**
 * Starts a real gateway on 127.0.0.1 and a free port in front of `upstreamUrl`, logging at
 * debug level (so that the redaction checks see the most verbose output).
 */
export async function startGateway(upstreamUrl: string, env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const config = loadConfig({
    EASGATE_UPSTREAM_URL: upstreamUrl,
    EASGATE_HOST: '127.0.0.1',
    EASGATE_PORT: '0',
    EASGATE_LOG_LEVEL: 'debug',
    EASGATE_DRAIN_TIMEOUT_MS: '2000',
    ...env,
  });
  const { logs, sink } = captureLogs('gateway');
  const gateway = await buildGateway(config, { logger: createLogger(config.logLevel, sink), ...options });
  const address = await gateway.listen();
  const origin = `${config.tls === undefined ? 'http' : 'https'}://127.0.0.1:${address.port}`;
  return { gateway, url: `${origin}/Microsoft-Server-ActiveSync`, origin, logs, stop: () => gateway.stop() };
}

/** The request log lines (msg "request") of a gateway. */
export function requestLines(logs: Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((l) => l.msg === 'request');
}
