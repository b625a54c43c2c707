/**
 * The one fast upstream every proxy in the benchmark forwards to: reads the request body
 * and answers a Sync with a fixed 2 KiB WBXML-typed body over keep-alive. Holds a Ping
 * until the process ends (for the long-poll benchmark). Usage: fast-upstream.ts PORT
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = Buffer.alloc(2048, 0x41);
const held = new Set<import('node:http').ServerResponse>();
const server = createServer((req, res) => {
  if (req.url?.includes('Cmd=Ping')) {
    req.resume();
    held.add(res);
    res.on('close', () => held.delete(res));
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/vnd.ms-sync.wbxml', 'content-length': body.length, 'ms-server-activesync': '15.1' });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 100_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
