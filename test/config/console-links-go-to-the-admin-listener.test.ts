import { describe, expect, it } from 'vitest';
import { consoleUrl, loadConfig } from '../../src/config/index.js';

/** Where the notification mail's links point: the console on the admin listener, not the device port. */
const BASE = { EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_PUBLIC_URL: 'https://eas.example.test/Microsoft-Server-ActiveSync' };

describe('the console URL of the notification mail', () => {
  it('is the admin listener\'s public URL when it is set', () => {
    expect(consoleUrl(loadConfig({ ...BASE, EASGATE_ADMIN_PORT: '8081', EASGATE_ADMIN_PUBLIC_URL: 'https://admin.example.test/' }))).toBe('https://admin.example.test/admin');
  });

  it('is the admin listener\'s own address when it has one, never the device port', () => {
    expect(consoleUrl(loadConfig({ ...BASE, EASGATE_ADMIN_PORT: '8081', EASGATE_ADMIN_HOST: '10.0.0.5' }))).toBe('http://10.0.0.5:8081/admin');
  });

  it('is the device listener\'s public origin when the admin API shares it', () => {
    expect(consoleUrl(loadConfig(BASE))).toBe('https://eas.example.test/admin');
  });
});
