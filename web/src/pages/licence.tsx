import { useState } from 'preact/hooks';
import { call, enc, get, may, qs, type Session } from '../api.js';
import { link } from '../router.js';
import { FieldError, FormError, Page, useConfirm, useLoad } from '../ui.js';

interface Licence {
  total: number | null;
  inUse: number;
  available: number | null;
  expiresAt: string | null;
  daysRemaining: number | null;
  expired: boolean;
  overLimit: boolean;
  full: boolean;
  message: string | null;
}
interface DomainUsage {
  name: string;
  activeSyncEnabled: boolean;
  activeSyncUsers: number;
  stored: boolean;
}
interface Mailbox {
  user: string;
  activeSyncEnabled: boolean;
  disabledReason?: string;
}

export const LIMIT_BANNER = 'You have reached your ActiveSync licensed user limit';

/** The mail server's licence page: total, in use, days remaining, the limit banner; usage by domain. */
export function LicencePage({ session, domain }: { session: Session; domain: string | undefined }) {
  const lic = useLoad((signal) => get<Licence>('/license', signal), []);
  const domains = useLoad((signal) => get<{ items: DomainUsage[] }>('/domains', signal), []);
  const [dialog, confirm] = useConfirm();
  const [form, setForm] = useState<{ total: string; expiresAt: string } | undefined>();
  const [formErr, setFormErr] = useState<unknown>();
  const l = lic.data;
  const reloadAll = (): void => {
    lic.reload();
    domains.reload();
  };
  const saveLicence = async (e: Event): Promise<void> => {
    e.preventDefault();
    setFormErr(undefined);
    try {
      const total = form!.total.trim() === '' ? null : Number(form!.total);
      await call('PUT', '/settings/system', { license: total === null ? null : { total, ...(form!.expiresAt === '' ? {} : { expiresAt: form!.expiresAt }) } });
      setForm(undefined);
      reloadAll();
    } catch (x) {
      setFormErr(x);
    }
  };
  if (domain !== undefined) return <DomainUsers session={session} domain={domain} onChanged={reloadAll} />;
  return (
    <Page title="Licence and usage by domain">
      {l !== undefined && (l.full || l.overLimit) && (
        <div class="banner" role="alert">
          {LIMIT_BANNER}
          {l.message ? `: ${l.message}` : '.'}
        </div>
      )}
      {l?.expired && l.message && (
        <div class="banner" role="alert">
          {l.message}
        </div>
      )}
      <FormError err={lic.err ?? domains.err} />
      {dialog}
      <div class="cards">
        <div class="card">
          <div class="card-label">Total licences</div>
          <div class="card-value" data-testid="licence-total">
            {l === undefined ? '…' : (l.total ?? 'no limit')}
          </div>
        </div>
        <div class="card">
          <div class="card-label">In use</div>
          <div class="card-value" data-testid="licence-in-use">
            {l?.inUse ?? '…'}
          </div>
        </div>
        <div class="card">
          <div class="card-label">Days remaining</div>
          <div class="card-value">{l === undefined ? '…' : (l.daysRemaining ?? '—')}</div>
        </div>
      </div>
      {may(session, 'admin') &&
        (form === undefined ? (
          <button type="button" onClick={() => setForm({ total: l?.total === null || l?.total === undefined ? '' : String(l.total), expiresAt: l?.expiresAt ?? '' })}>
            Change licence
          </button>
        ) : (
          <form class="inline-form" aria-label="Licence" onSubmit={saveLicence}>
            <label>
              Total (empty: no limit)
              <input name="total" inputMode="numeric" value={form.total} onInput={(e) => setForm({ ...form, total: e.currentTarget.value })} />
              <FieldError err={formErr} field="license.total" />
            </label>
            <label>
              Expires
              <input name="expiresAt" type="date" value={form.expiresAt.slice(0, 10)} onInput={(e) => setForm({ ...form, expiresAt: e.currentTarget.value })} />
              <FieldError err={formErr} field="license.expiresAt" />
            </label>
            <button type="submit" class="primary">
              Save licence
            </button>
            <button type="button" onClick={() => setForm(undefined)}>
              Cancel
            </button>
            <FormError err={formErr} fields={['license.total', 'license.expiresAt', 'license']} />
          </form>
        ))}
      <h2>Domains</h2>
      <table class="list domains">
        <thead>
          <tr>
            <th>Domain</th>
            <th>ActiveSync</th>
            <th>Users counted</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(domains.data?.items ?? []).map((d) => (
            <tr data-domain={d.name}>
              <td>
                <a {...link(`licence/${enc(d.name)}`)}>{d.name}</a>
              </td>
              <td>{d.activeSyncEnabled ? 'Enabled' : 'Disabled'}</td>
              <td class="num">{d.activeSyncUsers}</td>
              <td class="row-actions">
                {may(session, 'admin') && (
                  <button
                    type="button"
                    class={d.activeSyncEnabled ? 'danger' : 'primary'}
                    onClick={() =>
                      confirm({
                        title: `${d.activeSyncEnabled ? 'Disable' : 'Enable'} ActiveSync for ${d.name}?`,
                        confirm: d.activeSyncEnabled ? 'Disable' : 'Enable',
                        danger: d.activeSyncEnabled,
                        run: async (reason) => {
                          await call('PUT', `/domains/${enc(d.name)}`, { activeSyncEnabled: !d.activeSyncEnabled, ...(reason === '' ? {} : { reason }) });
                          reloadAll();
                        },
                      })
                    }
                  >
                    {d.activeSyncEnabled ? 'Disable' : 'Enable'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

/** A domain's users, enabled first, then disabled, with multi-select enable and disable. */
function DomainUsers({ session, domain, onChanged }: { session: Session; domain: string; onChanged: () => void }) {
  const users = useLoad(async (signal) => {
    // The mailbox list pages by user name; the domain's users are picked from it (docs/console.md).
    const out: Mailbox[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 40; i++) {
      const p = await get<{ items: Mailbox[]; nextCursor: string | null }>(`/mailboxes${qs({ limit: 500, cursor })}`, signal);
      out.push(...p.items.filter((m) => m.user.endsWith(`@${domain}`)));
      if (p.nextCursor === null) break;
      cursor = p.nextCursor;
    }
    return out.sort((a, b) => Number(b.activeSyncEnabled) - Number(a.activeSyncEnabled) || (a.user < b.user ? -1 : 1));
  }, [domain]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, confirm] = useConfirm();
  const [report, setReport] = useState<string>();
  const bulk = (enable: boolean): void =>
    confirm({
      title: `${enable ? 'Enable' : 'Disable'} ActiveSync for ${selected.size} user${selected.size === 1 ? '' : 's'}?`,
      detail: `This touches ${selected.size} user${selected.size === 1 ? '' : 's'} of ${domain}.`,
      confirm: enable ? 'Enable' : 'Disable',
      danger: !enable,
      run: async (reason) => {
        const r = await call<{ counts: Record<string, number> }>('POST', '/mailboxes/bulk', { activeSyncEnabled: enable, users: [...selected], ...(reason === '' ? {} : { reason }) });
        setReport(
          Object.entries(r.counts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(', '),
        );
        setSelected(new Set());
        users.reload();
        onChanged();
      },
    });
  const list = users.data ?? [];
  return (
    <Page
      title={`Users of ${domain}`}
      actions={
        <>
          <a {...link('licence')}>All domains</a>
          {may(session, 'admin') && selected.size > 0 && (
            <>
              <button type="button" class="primary" onClick={() => bulk(true)}>
                Enable
              </button>
              <button type="button" class="danger" onClick={() => bulk(false)}>
                Disable
              </button>
            </>
          )}
        </>
      }
    >
      {report && (
        <p class="note" role="status">
          {report}
        </p>
      )}
      <FormError err={users.err} />
      {dialog}
      <table class="list">
        <thead>
          <tr>
            <th>
              <input type="checkbox" aria-label="Select all" checked={list.length > 0 && selected.size === list.length} onChange={(e) => setSelected(e.currentTarget.checked ? new Set(list.map((m) => m.user)) : new Set())} />
            </th>
            <th>User</th>
            <th>ActiveSync</th>
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr data-user={m.user}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${m.user}`}
                  checked={selected.has(m.user)}
                  onChange={() => {
                    const s = new Set(selected);
                    if (s.has(m.user)) s.delete(m.user);
                    else s.add(m.user);
                    setSelected(s);
                  }}
                />
              </td>
              <td>{m.user}</td>
              <td>{m.activeSyncEnabled ? 'Enabled' : `Disabled${m.disabledReason ? ` (${m.disabledReason})` : ''}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.data !== undefined && list.length === 0 && <p class="empty">No mailbox record of this domain.</p>}
    </Page>
  );
}
