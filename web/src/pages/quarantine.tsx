import { useState } from 'preact/hooks';
import { call, enc, fillPage, may, qs, type Session } from '../api.js';
import { link } from '../router.js';
import { CursorPager, FormError, fmtTime, Page, useLoad } from '../ui.js';
import type { Association } from './associations.js';

/** Devices waiting for approval, newest first: Allow or Block in one click (the quarantine mail links to a device's page). */
export function QuarantinePage({ session }: { session: Session }) {
  const [cursor, setCursor] = useState<string | undefined>();
  const { data, err, loading, reload } = useLoad(
    (signal) => fillPage<Association>((next, room) => `/associations${qs({ state: 'Quarantined', sort: 'firstSync', order: 'desc', limit: room, cursor: next })}`, cursor, 50, signal),
    [cursor],
  );
  const [failed, setFailed] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const decide = async (a: Association, verb: 'allow' | 'block'): Promise<void> => {
    setFailed(undefined);
    try {
      await call('POST', `/associations/${enc(a.user)}/${enc(a.deviceId)}/${verb}`, { reason: 'quarantine queue' });
      setDone(`${a.deviceId} of ${a.user}: ${verb === 'allow' ? 'allowed' : 'blocked'}.`);
      reload();
    } catch (e) {
      setFailed(e);
    }
  };
  return (
    <Page title="Quarantine">
      <p class="hint">Devices waiting for approval, newest first.</p>
      {done && (
        <p class="note" role="status">
          {done}
        </p>
      )}
      <FormError err={err ?? failed} />
      <table class="list" aria-busy={loading}>
        <thead>
          <tr>
            <th>First sync</th>
            <th>User</th>
            <th>DeviceID</th>
            <th>Phone</th>
            <th>OS</th>
            <th>Why</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((a) => (
            <tr data-device={a.deviceId}>
              <td>{fmtTime(a.firstSyncAt)}</td>
              <td>{a.user}</td>
              <td>
                <a {...link(`associations/${enc(a.user)}/${enc(a.deviceId)}`)}>{a.deviceId}</a>
              </td>
              <td>{a.model ?? a.deviceType ?? ''}</td>
              <td>{a.os ?? ''}</td>
              <td>{a.accessReason}</td>
              <td class="row-actions">
                {may(session, 'act') && (
                  <>
                    <button type="button" class="primary" onClick={() => decide(a, 'allow')}>
                      Allow
                    </button>
                    <button type="button" onClick={() => decide(a, 'block')}>
                      Block
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data !== undefined && data.items.length === 0 && <p class="empty">No device is waiting for approval.</p>}
      <CursorPager cursor={cursor} next={data?.nextCursor} onCursor={setCursor} />
    </Page>
  );
}
