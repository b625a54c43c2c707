import { useState } from 'preact/hooks';
import { fillPage, qs } from '../api.js';
import { CursorPager, FieldError, FormError, fmtTime, Page, useLoad } from '../ui.js';

interface Entry {
  id: number;
  at: number;
  actor: string;
  action: string;
  object: string;
  before?: unknown;
  after?: unknown;
  source?: string;
  reason?: string;
}

/**
 * The audit log: actor and object are the API's filters; action and time narrow what it
 * answers (pages are followed until one is full), newest first.
 */
export function AuditPage() {
  const [f, setF] = useState({ actor: '', object: '', action: '', since: '', until: '' });
  const [applied, setApplied] = useState(f);
  const [cursor, setCursor] = useState<string | undefined>();
  const { data, err, loading } = useLoad((signal) => {
    const since = applied.since === '' ? -Infinity : Date.parse(applied.since);
    const until = applied.until === '' ? Infinity : Date.parse(applied.until) + 86_400_000;
    const object = applied.object.trim();
    const filter = { actor: applied.actor.trim() || undefined, ...(object === '' ? {} : object.includes(':') ? { object } : { objectType: object }) };
    return fillPage<Entry>((next) => `/audit${qs({ ...filter, limit: 100, cursor: next })}`, cursor, 50, signal, (e) => e.action.includes(applied.action.trim()) && e.at >= since && e.at < until);
  }, [applied, cursor]);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <Page title="Audit">
      <form
        class="filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursor(undefined);
          setApplied(f);
        }}
      >
        <label>
          Actor
          <input name="actor" value={f.actor} onInput={set('actor')} size={12} />
          <FieldError err={err} field="actor" />
        </label>
        <label>
          Object (rule:r1, or a type: rule)
          <input name="object" value={f.object} onInput={set('object')} size={24} />
          <FieldError err={err} field="object" />
          <FieldError err={err} field="objectType" />
        </label>
        <label>
          Action
          <input name="action" value={f.action} onInput={set('action')} placeholder="association.block" size={16} />
        </label>
        <label>
          From
          <input name="since" type="date" value={f.since} onInput={set('since')} />
        </label>
        <label>
          To
          <input name="until" type="date" value={f.until} onInput={set('until')} />
        </label>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <FormError err={err} fields={['actor', 'object', 'objectType']} />
      <table class="list audit" aria-busy={loading}>
        <thead>
          <tr>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Object</th>
            <th>Reason</th>
            <th>Before</th>
            <th>After</th>
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((e) => (
            <tr data-action={e.action}>
              <td>{fmtTime(e.at)}</td>
              <td>
                {e.actor}
                {e.source ? <small> {e.source}</small> : null}
              </td>
              <td>{e.action}</td>
              <td>{e.object}</td>
              <td>{e.reason ?? ''}</td>
              <td>
                <pre>{e.before === undefined ? '' : JSON.stringify(e.before, null, 1)}</pre>
              </td>
              <td>
                <pre>{e.after === undefined ? '' : JSON.stringify(e.after, null, 1)}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data !== undefined && data.items.length === 0 && <p class="empty">No entry matches.</p>}
      <CursorPager cursor={cursor} next={data?.nextCursor} onCursor={setCursor} />
    </Page>
  );
}
