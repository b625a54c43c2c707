import { describe, expect, it } from 'vitest';
import { DeviceSimulator, runConversation, stableTranscript } from '../../src/peers/index.js';
import { requestLines } from '../helpers/gateway.js';
import { deviceId, gatewayInFrontOfSogo, requireSogo, SOGO_URL, SOGO_USERS } from './sogo.js';

/**
 * The upstream decides authentication: a wrong password gets SOGo's own 401 (status and
 * WWW-Authenticate challenge) through easgate, exactly as directly.
 * That such a device creates nothing in easgate's store is proven in
 * refused-devices-never-reach-sogo.test.ts.
 */
const WRONG = { user: SOGO_USERS.alice.user, password: 'tr0ub4dor&3' };

describe('a wrong password through easgate in front of SOGo', () => {
  const ctx = gatewayInFrontOfSogo();

  async function attempt(url: string, id: string): Promise<{ conversation: ReturnType<typeof stableTranscript>; folderSync: { status: number; challenge: unknown } }> {
    const sim = new DeviceSimulator({ url, ...WRONG, deviceId: id, protocolVersion: '14.1' });
    try {
      const t = await runConversation(sim, { provision: true });
      const fs = await sim.raw('FolderSync');
      return { conversation: stableTranscript(t), folderSync: { status: fs.status, challenge: fs.headers['www-authenticate'] } };
    } finally {
      await sim.close();
    }
  }

  it('gets the same 401 and challenge as directly, for OPTIONS and for a command', async () => {
    await requireSogo(); // fails, never skips, when SOGo is not there
    const direct = await attempt(SOGO_URL, deviceId('E2EBADPW'));
    expect(direct.conversation).toEqual([expect.objectContaining({ step: 'OPTIONS', httpStatus: 401 })]);
    expect(direct.conversation[0]?.facts.authenticate).toMatch(/^basic realm=/i); // SOGo: 'basic realm="SOGo"'
    expect(direct.folderSync.status).toBe(401);

    const id = deviceId('E2EBADPW');
    const through = await attempt(ctx.gw.url, id);
    expect(through).toEqual(direct);
    const lines = requestLines(ctx.gw.logs).filter((l) => l.deviceId === id);
    expect(lines.map((l) => [l.cmd, l.status, l.upstream])).toEqual([['FolderSync', 401, 401]]);
  });
});
