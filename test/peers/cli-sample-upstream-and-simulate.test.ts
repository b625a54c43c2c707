import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSampleUpstreamCommand, runSimulateCommand, type CommandIo, type Transcript } from '../../src/peers/index.js';

function capture(signal?: AbortSignal): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal,
    out: () => out,
    err: () => err,
  };
}

const stop = new AbortController();
const upstreamIo = capture(stop.signal);
let running: Promise<number>;
let url: string;

beforeAll(async () => {
  running = runSampleUpstreamCommand(['--port', '0', '--require-provisioning', '--min-heartbeat', '1'], upstreamIo);
  for (let i = 0; i < 100 && !upstreamIo.out().includes('listening at'); i++) await new Promise((r) => setTimeout(r, 20));
  url = /listening at (\S+)/.exec(upstreamIo.out())![1]!;
});
afterAll(async () => {
  stop.abort();
  expect(await running).toBe(0);
});

describe('easgate sample-upstream and easgate simulate', () => {
  it('prints a readable transcript of a whole conversation, never the password', async () => {
    const io = capture();
    const code = await runSimulateCommand(['--url', url, '--user', 'alice', '--password', 'alice123', '--version', '12.1', '--ping', '1', '--send-mail'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/EAS 12\.1, plain query/);
    expect(io.out()).toMatch(/Provision \(acknowledge\)\s+HTTP 200 Status 1/);
    expect(io.out()).toMatch(/Ping\s+HTTP 200 Status 1/);
    expect(io.out()).toMatch(/result: ok/);
    expect(io.out()).not.toContain('alice123');
    expect(upstreamIo.out()).toMatch(/POST SendMail alice\//);
  });

  it('prints the transcript as JSON with --json and uses the base64 query with --base64', async () => {
    const io = capture();
    const code = await runSimulateCommand(['--url', url, '--user', 'bob', '--password', 'bob123', '--base64', '--json', '--device-id', 'clijson'], io);
    expect(code).toBe(0);
    const t = JSON.parse(io.out()) as Transcript;
    expect(t).toMatchObject({ ok: true, queryEncoding: 'base64', protocolVersion: '14.1', deviceId: 'clijson' });
    expect(io.out()).not.toContain('bob123');
  });

  it('exits 1 and says why when the password is wrong', async () => {
    const io = capture();
    const code = await runSimulateCommand(['--url', url, '--user', 'alice', '--password', 'nope'], io);
    expect(code).toBe(1);
    expect(io.out()).toMatch(/OPTIONS\s+HTTP 401/);
    expect(io.out()).toMatch(/stopped: OPTIONS answered HTTP 401/);
    expect(io.out()).not.toContain('nope');
  });

  it('exits 2 with the usage on bad arguments', async () => {
    for (const args of [['--user', 'a', '--password', 'b'], ['--url', url, '--user', 'a', '--password', 'b', '--version', '13.0'], ['--bogus']]) {
      const io = capture();
      expect(await runSimulateCommand(args, io)).toBe(2);
      expect(io.err()).toContain('usage: easgate simulate');
    }
    const io = capture();
    expect(await runSampleUpstreamCommand(['--port', 'many'], io)).toBe(2);
    expect(io.err()).toContain('--port takes a whole number');
  });
});
