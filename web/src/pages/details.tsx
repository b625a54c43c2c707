import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, enc, get, may, qs, type Session } from '../api.js';
import { FieldError, FormError, fmtTime, useConfirm, useLoad } from '../ui.js';
import { registered, syncStatus, type Association } from './associations.js';

interface Detail extends Association {
  imei?: string;
  osLanguage?: string;
  mobileOperator?: string;
  userAgent?: string;
  comment?: string;
  recordedAccessState?: string;
  recordedAccessReason?: string;
  wipeAccountOnly?: boolean;
  wipeRequestedBy?: string;
  history: { at: number; state: string; reason: string; ruleId?: string; actor?: string; note?: string }[];
}

type Mailbox = Record<string, unknown> & { activeSyncEnabled?: boolean };

const LEVELS = ['Allow', 'Block', 'Quarantine'] as const;
const CHARACTERISTICS = ['DeviceModel', 'DeviceType', 'DeviceOS', 'UserAgent'] as const;

function Row({ k, v }: { k: string; v: unknown }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v === undefined || v === null || v === '' ? '—' : Array.isArray(v) ? v.join(', ') || '—' : String(v)}</dd>
    </>
  );
}

/** Every detail of one association, its mailbox, its history, and the actions the role may take. */
export function DetailsPane({ session, id, onClose, onChanged }: { session: Session; id: { user: string; deviceId: string }; onClose: () => void; onChanged: () => void }) {
  const path = `/associations/${enc(id.user)}/${enc(id.deviceId)}`;
  const { data: a, err, reload } = useLoad((signal) => get<Detail>(path, signal), [path]);
  const { data: mailbox } = useLoad((signal) => get<Mailbox>(`/mailboxes/${enc(id.user)}`, signal).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))), [id.user]);
  const [comment, setComment] = useState<string | undefined>();
  const [commentErr, setCommentErr] = useState<unknown>();
  const [rule, setRule] = useState<{ accessLevel: string; characteristic: string }>({ accessLevel: 'Allow', characteristic: 'DeviceModel' });
  const [backendId, setBackendId] = useState('');
  const [dialog, confirm] = useConfirm();
  const [done, setDone] = useState<string>();
  useEffect(() => setComment(undefined), [path]);

  if (err !== undefined) {
    return (
      <aside class="pane" aria-label="Details">
        <button type="button" class="close" onClick={onClose}>
          Close
        </button>
        <FormError err={err} />
      </aside>
    );
  }
  if (a === undefined) return <aside class="pane" aria-label="Details">Loading…</aside>;

  const act = (title: string, verb: string, run: (reason: string | undefined) => Promise<unknown>, danger = false): void =>
    confirm({
      title: `${title} ${a.deviceId} of ${a.user}?`,
      confirm: title,
      danger,
      run: async (reason) => {
        await run(reason === '' ? undefined : reason);
        setDone(`${title}: done.`);
        if (verb === 'remove') onClose();
        else reload();
        onChanged();
      },
    });
  const post = (verb: string, body: Record<string, unknown> = {}) => (reason: string | undefined) => call('POST', `${path}/${verb}`, { ...body, ...(reason === undefined ? {} : { reason }) });
  const wipePending = a.wipeStatus === 'WipePending';
  const saveComment = async (): Promise<void> => {
    setCommentErr(undefined);
    try {
      await call('PUT', `${path}/comment`, { comment: comment ?? '' });
      setComment(undefined);
      setDone('Comment saved.');
      reload();
    } catch (e) {
      setCommentErr(e);
    }
  };

  return (
    <aside class="pane" aria-label="Details">
      <header class="pane-head">
        <h2>
          {a.deviceId} <small>{a.user}</small>
        </h2>
        <button type="button" class="close" onClick={onClose}>
          Close
        </button>
      </header>
      {done && (
        <p class="note" role="status">
          {done}
        </p>
      )}
      {dialog}
      <div class="actions" aria-label="Actions">
        {may(session, 'act') && (
          <>
            <button type="button" onClick={() => act('Allow', 'allow', post('allow'))}>
              Allow
            </button>
            <button type="button" onClick={() => act('Block', 'block', post('block'), true)}>
              Block
            </button>
          </>
        )}
        {may(session, 'wipe') && (
          <>
            <button type="button" class="danger" onClick={() => act('Wipe', 'wipe', post('wipe'), true)}>
              Wipe
            </button>
            {a.protocolVersion === '16.1' && (
              <button type="button" class="danger" onClick={() => act('Account-only wipe', 'wipe', post('wipe', { accountOnly: true }), true)}>
                Account-only wipe
              </button>
            )}
            {wipePending && (
              <button type="button" onClick={() => act('Cancel wipe', 'cancel-wipe', post('cancel-wipe'))}>
                Cancel wipe
              </button>
            )}
          </>
        )}
        {may(session, 'admin') && (
          <button type="button" class="danger" onClick={() => act('Remove', 'remove', (reason) => call('DELETE', `${path}${qs({ reason })}`), true)}>
            Remove
          </button>
        )}
      </div>
      <h3>Device</h3>
      <dl class="facts">
        <Row k="User" v={a.user} />
        <Row k="Phone number" v={a.phoneNumber} />
        <Row k="Model" v={a.model} />
        <Row k="Device type" v={a.deviceType} />
        <Row k="IMEI" v={a.imei} />
        <Row k="OS" v={a.os} />
        <Row k="OS language" v={a.osLanguage} />
        <Row k="Operator" v={a.mobileOperator} />
        <Row k="User agent" v={a.userAgent} />
        <Row k="Friendly name" v={a.friendlyName} />
        <Row k="Protocol" v={a.protocolVersion} />
        <Row k="Status" v={`${registered(a)}${a.backendDeviceId === undefined ? '' : ` (${a.backendDeviceId})`}`} />
        <Row k="Sync status" v={syncStatus(a)} />
        <Row k="Recorded at last request" v={a.recordedAccessState === undefined ? undefined : `${a.recordedAccessState} (${a.recordedAccessReason ?? ''})`} />
        <Row k="Wipe" v={a.wipeStatus === undefined ? undefined : `${a.wipeStatus}${a.wipeAccountOnly ? ' (account only)' : ''}${a.wipeRequestedBy ? ` by ${a.wipeRequestedBy}` : ''}`} />
        <Row k="First sync" v={fmtTime(a.firstSyncAt)} />
        <Row k="Last sync" v={fmtTime(a.lastSuccessSyncAt ?? a.lastSyncAttemptAt)} />
        <Row k="Gateway" v={a.lastInstance} />
      </dl>
      <h3>Mailbox</h3>
      {mailbox === null || mailbox === undefined ? (
        <p class="hint">{mailbox === null ? 'No mailbox record: the organisation defaults apply.' : 'Loading…'}</p>
      ) : (
        <dl class="facts mailbox">
          {Object.entries(mailbox)
            .filter(([k]) => k !== 'user')
            .map(([k, v]) => (
              <Row k={k} v={typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : v} />
            ))}
        </dl>
      )}
      <h3>Comment</h3>
      {may(session, 'act') ? (
        <div class="comment">
          <textarea name="comment" rows={2} maxLength={1000} value={comment ?? a.comment ?? ''} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="button" disabled={comment === undefined} onClick={saveComment}>
            Save comment
          </button>
          <FieldError err={commentErr} field="comment" />
          <FormError err={commentErr} fields={['comment']} />
        </div>
      ) : (
        <p>{a.comment ?? '—'}</p>
      )}
      {may(session, 'act') && (
        <>
          <h3>Rule for similar devices</h3>
          <div class="inline-form">
            <select name="ruleCharacteristic" value={rule.characteristic} onChange={(e) => setRule({ ...rule, characteristic: e.currentTarget.value })}>
              {CHARACTERISTICS.map((c) => (
                <option value={c}>{c}</option>
              ))}
            </select>
            <select name="ruleLevel" value={rule.accessLevel} onChange={(e) => setRule({ ...rule, accessLevel: e.currentTarget.value })}>
              {LEVELS.map((l) => (
                <option value={l}>{l}</option>
              ))}
            </select>
            <button type="button" onClick={() => act('Create rule', 'rule', post('rule', { ...rule }))}>
              Create rule
            </button>
          </div>
          <h3>Link to a registered device</h3>
          <div class="inline-form">
            <input name="backendDeviceId" placeholder="the backend's device ID" value={backendId} onInput={(e) => setBackendId(e.currentTarget.value)} />
            <button type="button" disabled={backendId.trim() === ''} onClick={() => act('Link', 'link', post('link', { backendDeviceId: backendId.trim() }))}>
              Link To
            </button>
            {a.backendDeviceId !== undefined && (
              <button type="button" onClick={() => act('Unlink', 'unlink', post('unlink'))}>
                Unlink
              </button>
            )}
          </div>
        </>
      )}
      <h3>History</h3>
      <table class="history">
        <thead>
          <tr>
            <th>When</th>
            <th>State</th>
            <th>Why</th>
            <th>Who</th>
            <th>Reason given</th>
          </tr>
        </thead>
        <tbody>
          {a.history.map((h) => (
            <tr>
              <td>{fmtTime(h.at)}</td>
              <td>{h.state}</td>
              <td>
                {h.reason}
                {h.ruleId ? ` (${h.ruleId})` : ''}
              </td>
              <td>{h.actor ?? ''}</td>
              <td>{h.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
