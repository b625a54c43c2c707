import type { Logger } from 'pino';
import { evaluate, type Association, type MailboxPolicy, type UserNormalizer } from '../policy/index.js';
import type { PolicyRuntime, Store } from '../store/index.js';
import { sendWbxml } from './answers.js';
import type { LongPolls } from './long-polls.js';
import { wipeAnswer, wipeOrdered } from './wipe.js';
import { pingStatus } from '../eas/quarantine-mailbox.js';
import type { DeviceRequest } from '../eas/device-request.js';

/** The association's recorded state and, decided again now, the policy both still say Quarantine. */
function stillQuarantined(runtime: PolicyRuntime, mailbox: MailboxPolicy | null, a: Association, r: DeviceRequest, key: string): boolean {
  if (a.accessState !== 'Quarantined') return false;
  const d = evaluate(runtime.snapshot, mailbox, a, { command: 'Ping', user: a.user, deviceKey: key, deviceType: r.deviceType, userAgent: r.userAgent, now: Date.now() });
  return d.access === 'Quarantine';
}


/**
 * A device that sits in a held Ping when its wipe is ordered, or when it leaves quarantine,
 * learns of it within seconds, not at the end of its heartbeat: the held Ping is ended with the answer that makes it
 * provision (Status 140 from 14.0 on, else 449/403), and its next Provision gets the
 * directive. Listens to the store's change notifications, which reach every replica.
 */
export async function watchHeldRequests(deps: { store: Store; runtime: PolicyRuntime; longPolls: LongPolls; normalizeUser: UserNormalizer; log: Logger }): Promise<() => void> {
  const { store, runtime, longPolls, normalizeUser, log } = deps;
  return store.onChange((change) => {
    if (change.kind !== 'association' || change.key === undefined) return;
    const [u, k] = change.key.split('/');
    if (u === undefined || k === undefined) return;
    const user = decodeURIComponent(u);
    const key = decodeURIComponent(k);
    const held = [...longPolls.waitingFor(key)].filter((h) => {
      const name = h.request.authUser ?? h.request.queryUser;
      return name !== undefined && normalizeUser(name) === user;
    });
    if (held.length === 0) return;
    Promise.all([runtime.getAssociation(user, key), runtime.getMailbox(user)]).then(
      ([a, mailbox]) => {
        if (a === null) return;
        for (const h of held) {
          if (h.res.headersSent) continue;
          if (wipeOrdered(a)) {
            const w = wipeAnswer(h.request, a, undefined, Date.now());
            h.handler.detach(new Error('remote wipe ordered'));
            sendWbxml(h.res, w.httpStatus, w.body);
            log.info({ user, deviceId: h.request.deviceId, cmd: h.request.command?.name }, 'held request ended: remote wipe ordered');
          } else if (h.quarantine === true && !stillQuarantined(runtime, mailbox, a, h.request, key)) {
            // Released or blocked while it waited in the quarantine mailbox (by an admin, or
            // linked to a registered backend device): its next FolderSync gets the
            // start-over (or blocked) answer.
            h.handler.detach(new Error('quarantine ended'));
            sendWbxml(h.res, 200, pingStatus(7));
            log.info({ user, deviceId: h.request.deviceId }, 'held quarantine Ping ended: the device is no longer quarantined');
          }
        }
      },
      (err: unknown) => log.error({ err, user, deviceId: key }, 'reading the association after a change failed'),
    );
  });
}
