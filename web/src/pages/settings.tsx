import { useState } from 'preact/hooks';
import { call, enc, get, may, type Session } from '../api.js';
import { FieldError, FormError, Page, useConfirm, useLoad } from '../ui.js';

interface Org {
  defaultAccessLevel: string;
  unregisteredAccessLevel?: string;
  adminMailRecipients: string[];
  userMailInsert: string;
}
interface Rule {
  id: string;
  characteristic: string;
  queryString: string;
  accessLevel: string;
}
interface DeviceIdEntry {
  deviceId: string;
  accessLevel: string;
  note?: string;
}
interface Token {
  name: string;
  role: string;
  createdAt: number;
  createdBy?: string;
}

const LEVELS = ['Allow', 'Block', 'Quarantine'];
/** The order the gateway evaluates rules in: the most specific characteristic first (docs/protocol.md 6.1). */
const CHARACTERISTICS = ['UserAgent', 'DeviceOS', 'DeviceModel', 'DeviceType'];

function Select({ name, value, values, onChange, disabled }: { name: string; value: string; values: string[]; onChange: (v: string) => void; disabled?: boolean }) {
  return (
    <select name={name} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)}>
      {values.map((v) => (
        <option value={v}>{v}</option>
      ))}
    </select>
  );
}

export function SettingsPage({ session }: { session: Session }) {
  const admin = may(session, 'admin');
  return (
    <Page title="Settings">
      <SystemSwitch admin={admin} />
      <Organisation admin={admin} />
      <Rules admin={admin} />
      <DeviceIds admin={admin} />
      {admin && <Tokens />}
    </Page>
  );
}

function SystemSwitch({ admin }: { admin: boolean }) {
  const { data, reload } = useLoad((signal) => get<{ activeSyncEnabled: boolean }>('/settings/system', signal), []);
  const [dialog, confirm] = useConfirm();
  if (data === undefined) return null;
  return (
    <section class="card wide" aria-label="System">
      <h2>ActiveSync for the whole system</h2>
      <p class="warning">This switch overrides every domain and user setting: off, no device of anyone syncs.</p>
      <p>
        ActiveSync is <strong data-testid="system-state">{data.activeSyncEnabled ? 'enabled' : 'disabled'}</strong> for everyone.
      </p>
      {dialog}
      {admin && (
        <button
          type="button"
          class={data.activeSyncEnabled ? 'danger' : 'primary'}
          onClick={() =>
            confirm({
              title: data.activeSyncEnabled ? 'Disable ActiveSync for everyone?' : 'Enable ActiveSync for everyone?',
              detail: 'This overrides every domain and user setting.',
              confirm: data.activeSyncEnabled ? 'Disable for everyone' : 'Enable',
              danger: data.activeSyncEnabled,
              run: async (reason) => {
                await call('PUT', '/settings/system', { activeSyncEnabled: !data.activeSyncEnabled, ...(reason === '' ? {} : { reason }) });
                reload();
              },
            })
          }
        >
          {data.activeSyncEnabled ? 'Disable for everyone' : 'Enable for everyone'}
        </button>
      )}
    </section>
  );
}

function Organisation({ admin }: { admin: boolean }) {
  const { data, reload } = useLoad((signal) => get<Org>('/settings/organization', signal), []);
  const [edit, setEdit] = useState<{ defaultAccessLevel: string; unregisteredAccessLevel: string; recipients: string; userMailInsert: string } | undefined>();
  const [err, setErr] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  if (data === undefined) return null;
  const f = edit ?? { defaultAccessLevel: data.defaultAccessLevel, unregisteredAccessLevel: data.unregisteredAccessLevel ?? 'Allow', recipients: data.adminMailRecipients.join(', '), userMailInsert: data.userMailInsert };
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setErr(undefined);
    setSaved(false);
    try {
      await call('PUT', '/settings/organization', {
        defaultAccessLevel: f.defaultAccessLevel,
        unregisteredAccessLevel: f.unregisteredAccessLevel,
        adminMailRecipients: f.recipients.split(/[,;\s]+/).filter((r) => r !== ''),
        userMailInsert: f.userMailInsert,
      });
      setEdit(undefined);
      setSaved(true);
      reload();
    } catch (x) {
      setErr(x);
    }
  };
  const set = (k: keyof typeof f) => (v: string) => setEdit({ ...f, [k]: v });
  return (
    <form class="card wide" aria-label="Organisation" onSubmit={save}>
      <h2>Organisation</h2>
      <div class="grid-form">
        <label>
          Default access level
          <Select name="defaultAccessLevel" value={f.defaultAccessLevel} values={LEVELS} disabled={!admin} onChange={set('defaultAccessLevel')} />
        </label>
        <label>
          Unregistered devices
          <Select name="unregisteredAccessLevel" value={f.unregisteredAccessLevel} values={LEVELS} disabled={!admin} onChange={set('unregisteredAccessLevel')} />
        </label>
        <label>
          Admin mail recipients
          <input name="adminMailRecipients" value={f.recipients} disabled={!admin} onInput={(e) => set('recipients')(e.currentTarget.value)} />
          <FieldError err={err} field="adminMailRecipients" />
        </label>
        <label>
          Text added to user mail
          <textarea name="userMailInsert" rows={2} value={f.userMailInsert} disabled={!admin} onInput={(e) => set('userMailInsert')(e.currentTarget.value)} />
          <FieldError err={err} field="userMailInsert" />
        </label>
      </div>
      <FormError err={err} fields={['adminMailRecipients', 'userMailInsert']} />
      {saved && <p class="note" role="status">Saved.</p>}
      {admin && (
        <button type="submit" class="primary" disabled={edit === undefined}>
          Save organisation settings
        </button>
      )}
    </form>
  );
}

function Rules({ admin }: { admin: boolean }) {
  const { data, reload } = useLoad((signal) => get<{ items: Rule[] }>('/rules', signal), []);
  const [draft, setDraft] = useState<Rule & { editing?: boolean }>({ id: '', characteristic: 'DeviceModel', queryString: '', accessLevel: 'Block' });
  const [err, setErr] = useState<unknown>();
  const [dialog, confirm] = useConfirm();
  const rules = [...(data?.items ?? [])].sort((a, b) => CHARACTERISTICS.indexOf(a.characteristic) - CHARACTERISTICS.indexOf(b.characteristic) || (a.id < b.id ? -1 : 1));
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setErr(undefined);
    try {
      const body = { characteristic: draft.characteristic, queryString: draft.queryString, accessLevel: draft.accessLevel };
      if (draft.editing) await call('PUT', `/rules/${enc(draft.id)}`, body);
      else await call('POST', '/rules', { ...body, ...(draft.id.trim() === '' ? {} : { id: draft.id.trim() }) });
      setDraft({ id: '', characteristic: 'DeviceModel', queryString: '', accessLevel: 'Block' });
      reload();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section class="card wide" aria-label="Device access rules">
      <h2>Device access rules</h2>
      <p class="hint">In the order they are evaluated: the first characteristic with a matching rule decides.</p>
      {dialog}
      <table class="list">
        <thead>
          <tr>
            <th>Characteristic</th>
            <th>Query string</th>
            <th>Access level</th>
            <th>Id</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr data-rule={r.id}>
              <td>{r.characteristic}</td>
              <td>{r.queryString}</td>
              <td>{r.accessLevel}</td>
              <td>{r.id}</td>
              <td class="row-actions">
                {admin && (
                  <>
                    <button type="button" onClick={() => setDraft({ ...r, editing: true })}>
                      Edit
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() =>
                        confirm({
                          title: `Remove the rule ${r.id}?`,
                          confirm: 'Remove',
                          danger: true,
                          run: async (reason) => {
                            await call('DELETE', `/rules/${enc(r.id)}${reason === '' ? '' : `?reason=${enc(reason)}`}`);
                            reload();
                          },
                        })
                      }
                    >
                      Remove
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form class="inline-form" aria-label="Rule" onSubmit={save}>
          <Select name="characteristic" value={draft.characteristic} values={CHARACTERISTICS} onChange={(v) => setDraft({ ...draft, characteristic: v })} />
          <label>
            Query string
            <input name="queryString" value={draft.queryString} onInput={(e) => setDraft({ ...draft, queryString: e.currentTarget.value })} />
            <FieldError err={err} field="queryString" />
          </label>
          <Select name="accessLevel" value={draft.accessLevel} values={LEVELS} onChange={(v) => setDraft({ ...draft, accessLevel: v })} />
          <label>
            Id
            <input name="ruleId" value={draft.id} disabled={draft.editing} placeholder="(made up)" onInput={(e) => setDraft({ ...draft, id: e.currentTarget.value })} />
            <FieldError err={err} field="id" />
          </label>
          <button type="submit" class="primary">
            {draft.editing ? 'Save rule' : 'Add rule'}
          </button>
          <FormError err={err} fields={['queryString', 'id']} />
        </form>
      )}
    </section>
  );
}

function DeviceIds({ admin }: { admin: boolean }) {
  const { data, reload } = useLoad((signal) => get<{ items: DeviceIdEntry[] }>('/device-ids', signal), []);
  const [draft, setDraft] = useState({ deviceId: '', accessLevel: 'Allow', note: '' });
  const [err, setErr] = useState<unknown>();
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setErr(undefined);
    try {
      await call('PUT', `/device-ids/${enc(draft.deviceId.trim())}`, { accessLevel: draft.accessLevel, ...(draft.note === '' ? {} : { note: draft.note }) });
      setDraft({ deviceId: '', accessLevel: 'Allow', note: '' });
      reload();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section class="card wide" aria-label="Device-ID list">
      <h2>Device-ID list</h2>
      <table class="list">
        <thead>
          <tr>
            <th>Device ID</th>
            <th>Access</th>
            <th>Note</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((d) => (
            <tr>
              <td>{d.deviceId}</td>
              <td>{d.accessLevel}</td>
              <td>{d.note ?? ''}</td>
              <td class="row-actions">
                {admin && (
                  <button
                    type="button"
                    class="danger"
                    onClick={async () => {
                      await call('DELETE', `/device-ids/${enc(d.deviceId)}`);
                      reload();
                    }}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form class="inline-form" aria-label="Device ID" onSubmit={save}>
          <input name="deviceId" placeholder="Device ID" value={draft.deviceId} onInput={(e) => setDraft({ ...draft, deviceId: e.currentTarget.value })} />
          <Select name="deviceIdLevel" value={draft.accessLevel} values={['Allow', 'Block']} onChange={(v) => setDraft({ ...draft, accessLevel: v })} />
          <input name="note" placeholder="Note" value={draft.note} onInput={(e) => setDraft({ ...draft, note: e.currentTarget.value })} />
          <button type="submit" class="primary" disabled={draft.deviceId.trim() === ''}>
            Add
          </button>
          <FormError err={err} />
        </form>
      )}
    </section>
  );
}

function Tokens() {
  const { data, reload } = useLoad((signal) => get<{ items: Token[] }>('/tokens', signal), []);
  const [draft, setDraft] = useState({ name: '', role: 'viewer' });
  const [secret, setSecret] = useState<string>();
  const [err, setErr] = useState<unknown>();
  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    setErr(undefined);
    try {
      const t = await call<{ token: string }>('POST', '/tokens', draft);
      setSecret(t.token);
      setDraft({ name: '', role: 'viewer' });
      reload();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section class="card wide" aria-label="API tokens">
      <h2>API tokens</h2>
      {secret && (
        <div class="secret" role="status">
          The new token, shown this once: <code data-testid="new-token">{secret}</code>
          <button type="button" onClick={() => setSecret(undefined)}>
            I have kept it
          </button>
        </div>
      )}
      <table class="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Created by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((t) => (
            <tr data-token={t.name}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td>{t.createdBy ?? ''}</td>
              <td class="row-actions">
                <button
                  type="button"
                  class="danger"
                  onClick={async () => {
                    await call('DELETE', `/tokens/${enc(t.name)}`);
                    reload();
                  }}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline-form" aria-label="Token" onSubmit={create}>
        <label>
          Name
          <input name="tokenName" value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
          <FieldError err={err} field="name" />
        </label>
        <Select name="tokenRole" value={draft.role} values={['viewer', 'helpdesk', 'wiper', 'admin']} onChange={(v) => setDraft({ ...draft, role: v })} />
        <button type="submit" class="primary">
          Create token
        </button>
        <FormError err={err} fields={['name']} />
      </form>
    </section>
  );
}
