import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ClosingServer {
  url: string;
  /** Every request that reached the server's application, in order. */
  requests: { method: string; target: string; body: string }[];
  /** TCP connections accepted. */
  connections: number;
  /** 'close-after-answer': like sogod; 'keep-alive': an ordinary HTTP/1.1 server. */
  mode: 'close-after-answer' | 'keep-alive';
  /** Sockets open on the server side. */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/**
 * A small HTTP/1.1 server that behaves like sogod: it answers a request without
 * `Connection: close`, stops reading, and closes the connection `closeAfterMs` later; a
 * request written into that connection meanwhile never reaches it and the client gets a
 * reset (the kernel answers data for a closed socket with RST). In 'keep-alive' mode it
 * serves any number of requests per connection until the client closes it.
 */
export async function startClosingServer(o: { closeAfterMs: number; mode?: ClosingServer['mode'] }): Promise<ClosingServer> {
  const sockets = new Set<Socket>();
  const result = { requests: [], connections: 0, mode: o.mode ?? 'close-after-answer', sockets } as unknown as ClosingServer;
  const server: Server = createServer((socket) => {
    result.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const [method = '', target = ''] = (head[0] ?? '').split(' ');
        const lengthLine = head.find((l) => l.toLowerCase().startsWith('content-length:'));
        const length = lengthLine === undefined ? 0 : Number(lengthLine.slice(lengthLine.indexOf(':') + 1));
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
        buffered = buffered.subarray(end + 4 + length);
        result.requests.push({ method, target, body });
        const answer = `answered ${result.requests.length}`;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${answer.length}\r\n\r\n${answer}`);
        if (result.mode === 'close-after-answer') {
          // Read nothing more: what the client sends now stays unread and the close resets it.
          socket.off('data', onData);
          socket.pause();
          setTimeout(() => socket.destroy(), o.closeAfterMs);
          return;
        }
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  result.url = `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`;
  result.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return result;
}
