import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';

/** `npm run demo` is the front door: it must start, sync one phone, refuse another, and stop on request. */
describe('easgate demo', () => {
  it('syncs the allowed iPhone, refuses the Windows Phone with Status 129, and stops when told', async () => {
    process.env.EASGATE_PORT = '0';
    process.env.EASGATE_LOG_LEVEL = 'info';
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const stop = new AbortController();
    const running = runDemo([], { stdin: new PassThrough(), stdout, stderr: new PassThrough() }, stop.signal);
    while (!out.includes('Ctrl-C stops the demo')) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await running).toBe(0);
    expect(out).toMatch(/iPhone \(EAS 16\.1\), allowed saw:[\s\S]*result: ok/);
    expect(out).toMatch(/Windows Phone[\s\S]*Provision \(initial\)\s+HTTP 200 Status 129/);
    expect(out).toContain('Bearer demo-');
    expect(out).toContain('demo stopped');
  }, 30_000);
});
