import { describe, expect, it } from 'vitest';
import { DeviceSimulator, runConversation, stableTranscript, type Transcript } from '../../src/peers/index.js';
import { readSync } from '../../src/peers/simulator/readers.js';
import { countMails, delay, deliver, deviceId, emptyFolder, gatewayInFrontOfSogo, requireSogo, SOGO_URL, SOGO_USERS, until } from './sogo.js';

/**
 * easgate must be invisible in front of a real ActiveSync server it was not written
 * with: a phone's whole conversation with SOGo gives the same statuses, folders and items
 * directly and through the gateway. Before each run carol's Inbox is reset to the same
 * three mails; a fourth arrives during the Ping.
 */
const carol = SOGO_USERS.carol;
const SEEDS = ['e2e seed one', 'e2e seed two', 'e2e seed three'];

describe('the same conversation with SOGo, directly and through easgate', () => {
  const ctx = gatewayInFrontOfSogo();

  async function converse(url: string, c: Case, id: string): Promise<{ transcript: Transcript; subjects: string[][] }> {
    await emptyFolder(carol.user);
    for (const s of SEEDS) await deliver(carol.user, s);
    const sim = new DeviceSimulator({ url, ...carol, deviceId: id, protocolVersion: c.protocolVersion, queryEncoding: c.queryEncoding });
    try {
      const transcript = await runConversation(sim, {
        provision: true,
        settings: true,
        ...(c.ping ? { ping: { heartbeatSeconds: 60, duringPing: () => delay(1_000).then(() => deliver(carol.user, 'e2e arrived during the Ping')) } } : {}),
        sendMail: `From: carol@example.test\r\nTo: bob@example.test\r\nSubject: e2e ${c.protocolVersion} ${c.queryEncoding} ${id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSent by the easgate end-to-end suite.\r\n`,
      });
      // The items themselves, not only their number: the subjects each Sync brought.
      const subjects = sim.history
        .filter((e) => e.response.command === 'Sync' && e.response.status === 200)
        .map((e) => readSync(e.response.doc).collections.flatMap((col) => col.added.map((a) => a.subject ?? '')).sort());
      return { transcript, subjects };
    } finally {
      await sim.close();
    }
  }

  interface Case {
    protocolVersion: '12.1' | '14.1';
    queryEncoding: 'plain' | 'base64';
    ping: boolean;
    /** How SendMail goes out at this version. */
    sendMail: string;
  }
  const cases: Case[] = [
    { protocolVersion: '14.1', queryEncoding: 'plain', ping: true, sendMail: 'WBXML' },
    { protocolVersion: '12.1', queryEncoding: 'plain', ping: false, sendMail: 'raw MIME' },
    { protocolVersion: '14.1', queryEncoding: 'base64', ping: false, sendMail: 'WBXML' },
  ];

  const named = cases.map((c) => [`EAS ${c.protocolVersion}, ${c.queryEncoding} query${c.ping ? ', a Ping that sees new mail' : ''}, SendMail as ${c.sendMail}`, c] as const);
  it.each(named)('%s', async (_name, c) => {
    await requireSogo(); // fails, never skips, when SOGo is not there
    const direct = await converse(SOGO_URL, c, deviceId('E2EDIRECT'));
    expect(direct.transcript.stoppedBecause).toBeUndefined();
    expect(direct.transcript.ok).toBe(true);

    const sentBefore = await countMails('bob');
    const through = await converse(ctx.gw.url, c, deviceId('E2EGATE'));
    expect(stableTranscript(through.transcript)).toEqual(stableTranscript(direct.transcript));
    expect(through.subjects).toEqual(direct.subjects);

    // What the transcript shows of SOGo (so that a change in SOGo is seen, not hidden).
    const steps = direct.transcript.steps.map((s) => s.step);
    expect(steps).toEqual(expect.arrayContaining(['OPTIONS', 'Provision (initial)', 'Settings', 'FolderSync', 'GetItemEstimate', 'SendMail']));
    expect(direct.subjects.flat()).toEqual(expect.arrayContaining(SEEDS));
    if (c.ping) {
      const ping = direct.transcript.steps.find((s) => s.command === 'Ping');
      expect(ping?.easStatus).toBe(2);
      expect(direct.subjects.flat()).toContain('e2e arrived during the Ping');
    }
    // The mail sent through easgate reached bob (postfix delivers it a moment later).
    await until(async () => (await countMails('bob')) > sentBefore, 15_000, 200);
  }, 90_000);
});
