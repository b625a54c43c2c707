/**
 * Runs the gateway (compiled, from dist/) in its own process and answers the parent's
 * 'stats' messages with its memory, held long polls and event-loop delay, so that the
 * long-poll benchmark measures the gateway alone. Configuration from EASGATE_* variables.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from './processes.js';

const { buildGateway } = (await import(pathToFileURL(join(ROOT, 'dist/app.js')).href)) as typeof import('../../src/app.js');
const { loadConfig } = (await import(pathToFileURL(join(ROOT, 'dist/config/index.js')).href)) as typeof import('../../src/config/index.js');

const gateway = await buildGateway(loadConfig());
const address = await gateway.listen();
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'reset-delay') {
    delay.reset();
    process.send!({ type: 'ok' });
  } else if (msg.type === 'stats') {
    global.gc?.();
    const m = process.memoryUsage();
    process.send!({
      type: 'stats',
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      held: gateway.longPolls.size,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
    });
  } else if (msg.type === 'stop') {
    void gateway.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', port: address.port });
