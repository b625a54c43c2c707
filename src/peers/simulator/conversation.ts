/**
 * The whole conversation a phone of a given protocol version has with a new account:
 * OPTIONS, Provision (+ Settings for 12.1/14.0), FolderSync, Sync of the Inbox until the
 * server has nothing more, GetItemEstimate, and optionally a Ping and a SendMail.
 */
import type { DeviceSimulator } from './device-simulator.js';
import { stepOf } from './facts.js';
import type { Transcript } from './types.js';

export interface ConversationOptions {
  /** Hold a Ping on the Inbox for this many seconds; `duringPing` runs once it is sent. */
  ping?: { heartbeatSeconds: number; duringPing?: () => Promise<void> | void };
  /** Send this MIME message at the end (WBXML for 14.0+, raw MIME before). */
  sendMail?: string | Uint8Array;
  /** Send Settings/DeviceInformation; default for 12.1 and 14.0 ([MS-ASPROV] 2.2.2.53 note). */
  settings?: boolean;
  /** Provision even if OPTIONS does not list it (SOGo answers Provision but leaves it out of MS-ASProtocolCommands); default: when listed. */
  provision?: boolean;
}

class Stop extends Error {}

export async function runConversation(sim: DeviceSimulator, o: ConversationOptions = {}): Promise<Transcript> {
  const start = sim.history.length;
  let stoppedBecause: string | undefined;
  const need = (ok: boolean, why: string): void => {
    if (!ok) throw new Stop(why);
  };
  try {
    const options = await sim.options();
    need(options.status === 200, `OPTIONS answered HTTP ${options.status}`);
    // Clients skip the commands the server does not list (eas4tbsync does so for Settings).
    const header = options.headers['ms-asprotocolcommands'];
    const listed = typeof header === 'string' ? header.split(',').map((c) => c.trim()) : undefined;
    const offers = (command: string): boolean => listed === undefined || listed.includes(command);
    if (o.provision ?? offers('Provision')) {
      const provision = await sim.provision();
      need(provision.response.status === 200, `Provision answered HTTP ${provision.response.status}`);
      need(provision.status === 1, `Provision answered Status ${String(provision.status)}`);
      need(sim.wiped === undefined, `the server ordered a ${String(sim.wiped)}`);
    }
    const wantsSettings = o.settings ?? (sim.protocolVersion === '12.1' || sim.protocolVersion === '14.0');
    if (wantsSettings && offers('Settings')) {
      const settings = await sim.settings();
      need(settings.status === 200, `Settings answered HTTP ${settings.status}`);
    }
    const folders = await sim.folderSync();
    need(folders.response.status === 200, `FolderSync answered HTTP ${folders.response.status}`);
    need(folders.status === 1, `FolderSync answered Status ${String(folders.status)}`);
    const inbox = sim.inboxId;
    need(inbox !== undefined, 'the hierarchy has no Inbox (type 2)');
    await syncInbox(sim, inbox!, need);
    const estimate = await sim.getItemEstimate(inbox!);
    need(estimate.response.status === 200, `GetItemEstimate answered HTTP ${estimate.response.status}`);
    if (o.ping !== undefined) {
      const held = sim.ping(o.ping.heartbeatSeconds, [{ id: inbox!, class: 'Email' }]);
      await o.ping.duringPing?.();
      const ping = await held;
      need(ping.response.status === 200, `Ping answered HTTP ${ping.response.status}`);
      if (ping.status === 2) await syncInbox(sim, inbox!, need);
    }
    if (o.sendMail !== undefined) {
      const sent = await sim.sendMail(o.sendMail);
      need(sent.response.status === 200, `SendMail answered HTTP ${sent.response.status}`);
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    stoppedBecause = err.message;
  }
  return {
    protocolVersion: sim.protocolVersion,
    queryEncoding: sim.queryEncoding,
    deviceId: sim.deviceId,
    deviceType: sim.deviceType,
    steps: sim.history.slice(start).map(stepOf),
    ok: stoppedBecause === undefined,
    stoppedBecause,
  };
}

async function syncInbox(sim: DeviceSimulator, inbox: string, need: (ok: boolean, why: string) => void): Promise<void> {
  const done = await sim.syncUntilDone(inbox);
  const r = done.last;
  need(r.response.status === 200, `Sync answered HTTP ${r.response.status}`);
  need(r.status === undefined, `Sync answered Status ${String(r.status)}`);
  const bad = r.collections.find((c) => c.status !== 1);
  need(bad === undefined, `Sync of ${inbox} answered Status ${String(bad?.status)}`);
}
