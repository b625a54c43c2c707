import { afterEach, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.js';

describe('a test that needs a tool the machine lacks fails, naming it', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('passes when the tool is on PATH', () => {
    expect(() => requireTool('redis-server')).not.toThrow();
  });

  it.each([
    ['haproxy', 'haproxy is not installed (Debian package haproxy: two replicas behind a real load balancer)'],
    ['redis-sentinel', 'redis-sentinel is not installed (Debian package redis-sentinel: the Sentinel failover tests)'],
    ['wbxml2xml', 'wbxml2xml is not installed (Debian package libwbxml2-utils: the WBXML codec is compared with libwbxml)'],
  ])('%s missing: %s', (tool, message) => {
    process.env.PATH = '/nonexistent';
    expect(() => requireTool(tool)).toThrow(message);
  });
});
