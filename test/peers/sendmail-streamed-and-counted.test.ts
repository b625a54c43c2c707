import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, INBOX_ID, RECEIVED_BYTES_HEADER, startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';

let upstream: SampleUpstream;

beforeAll(async () => {
  upstream = await startSampleUpstream();
});
afterAll(() => upstream.close());

const CHUNK = 64 * 1024;
const CHUNKS = 80; // 5 MiB of body after the headers

function header(to: string): Buffer {
  return Buffer.from(`From: alice@example.test\r\nTo: ${to}\r\nSubject: big one\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n`);
}

describe('SendMail at the sample upstream', () => {
  it('counts a 5 MiB raw MIME body exactly while it streams in (12.1, message/rfc822)', async () => {
    const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId: 'bigraw', protocolVersion: '12.1' });
    const head = header('nobody@example.test');
    let upstreamSawBytesMidway = false;
    async function* body(): AsyncGenerator<Buffer> {
      yield head;
      for (let i = 0; i < CHUNKS; i++) {
        if (i === CHUNKS / 2) {
          // The upstream has read part of the body before the device sent the rest.
          await expect.poll(() => upstream.control.find({ deviceId: 'bigraw', command: 'SendMail' })[0]?.bodyBytes ?? 0).toBeGreaterThan(0);
          upstreamSawBytesMidway = true;
        }
        yield Buffer.alloc(CHUNK, i % 2 === 0 ? 'a' : 'b');
      }
    }
    const sent = await sim.sendMail(Readable.from(body()), { asWbxml: false });
    const total = head.length + CHUNK * CHUNKS;
    expect(sent.response.status).toBe(200);
    expect(sent.receivedBytes).toBe(total);
    expect(sent.response.headers[RECEIVED_BYTES_HEADER.toLowerCase()]).toBe(String(total));
    expect(upstreamSawBytesMidway).toBe(true);
    expect(upstream.control.lastSendMail).toMatchObject({ user: 'alice', contentType: 'message/rfc822', bytes: total, mimeBytes: total, saveInSent: true });
    expect(upstream.control.find({ deviceId: 'bigraw', command: 'SendMail' })[0]?.query).toContain('SaveInSent=T');
    await sim.close();
  });

  it('counts a 5 MiB WBXML ComposeMail body exactly (14.1)', async () => {
    const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId: 'bigwbxml', protocolVersion: '14.1' });
    const mime = Buffer.concat([header('nobody@example.test'), Buffer.alloc(CHUNK * CHUNKS, 'x')]);
    const sent = await sim.sendMail(mime);
    expect(sent.response.status).toBe(200);
    expect(sent.response.body.length).toBe(0);
    expect(sent.receivedBytes).toBeGreaterThan(mime.length);
    expect(upstream.control.lastSendMail).toMatchObject({ contentType: 'application/vnd.ms-sync.wbxml', bytes: sent.receivedBytes, mimeBytes: undefined });
    await sim.close();
  });

  it('reads a small WBXML SendMail and delivers it to a local recipient', async () => {
    const sim = new DeviceSimulator({ url: upstream.url, user: 'alice', password: 'alice123', deviceId: 'smallwbxml', protocolVersion: '16.1' });
    const mime = Buffer.concat([header('Bob <bob@example.test>'), Buffer.from('hello bob\r\n')]);
    const sent = await sim.sendMail(mime, { clientId: 'client-42' });
    expect(sent.response.status).toBe(200);
    const bobSim = new DeviceSimulator({ url: upstream.url, user: 'bob', password: 'bob123', deviceId: 'bobreader' });
    await bobSim.folderSync();
    const got = await bobSim.syncUntilDone(INBOX_ID);
    expect(got.items.map((i) => i.subject)).toContain('big one');
    expect(upstream.control.lastSendMail).toMatchObject({ clientId: 'client-42', mimeBytes: mime.length, saveInSent: true });
    expect(sent.receivedBytes).toBe(upstream.control.lastSendMail?.bytes);
    await Promise.all([sim.close(), bobSim.close()]);
  });
});
