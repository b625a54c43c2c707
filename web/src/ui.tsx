import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export const fmtTime = (ms: number | undefined | null): string => (ms === undefined || ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));
export const fmtDate = (ms: number | undefined | null): string => (ms === undefined || ms === null ? '—' : new Date(ms).toISOString().slice(0, 10));

/** The API's message for a field (or for the form when it names none). */
export function errorFor(err: unknown, field?: string): string | undefined {
  if (!(err instanceof ApiError)) return err === undefined || err === null ? undefined : field === undefined ? String((err as Error).message ?? err) : undefined;
  if (field === undefined) return err.field === undefined ? err.message : undefined;
  return err.field === field || err.field?.startsWith(`${field}.`) || err.field?.startsWith(`${field}[`) ? err.message : undefined;
}

export function FieldError({ err, field }: { err: unknown; field?: string }) {
  const m = errorFor(err, field);
  return m === undefined ? null : (
    <div class="field-error" role="alert" data-field={field ?? ''}>
      {m}
    </div>
  );
}

/** A failure that names no field of the form shows here. */
export function FormError({ err, fields = [] }: { err: unknown; fields?: string[] }) {
  if (err === undefined || err === null) return null;
  if (err instanceof ApiError && err.field !== undefined && fields.some((f) => errorFor(err, f) !== undefined)) return null;
  return (
    <div class="form-error" role="alert">
      {err instanceof ApiError ? err.message : String((err as Error).message ?? err)}
    </div>
  );
}

export interface Confirmation {
  title: string;
  /** What it touches, e.g. "3 devices". */
  detail?: string;
  confirm: string;
  danger?: boolean;
  /** Runs with the admin's reason; a thrown ApiError stays in the dialog. */
  run(reason: string): Promise<void>;
}

/** The confirmation every change asks for, with the admin's reason (kept in the audit log and the history). */
export function ConfirmDialog({ c, onClose }: { c: Confirmation; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const go = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErr(undefined);
    try {
      await c.run(reason);
      onClose();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="modal-backdrop" role="dialog" aria-modal="true" aria-label={c.title}>
      <form class="modal" onSubmit={go}>
        <h2>{c.title}</h2>
        {c.detail && <p class="confirm-detail">{c.detail}</p>}
        <label>
          Reason (kept in the audit log)
          <input ref={input} name="reason" value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <FieldError err={err} field="reason" />
        <FormError err={err} fields={['reason']} />
        <div class="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class={c.danger ? 'danger' : 'primary'} disabled={busy}>
            {c.confirm}
          </button>
        </div>
      </form>
    </div>
  );
}

/** A confirmation to show, or none. */
export function useConfirm(): [ComponentChildren, (c: Confirmation) => void] {
  const [c, setC] = useState<Confirmation | undefined>();
  return [c === undefined ? null : <ConfirmDialog c={c} onClose={() => setC(undefined)} />, setC];
}

/** Loads data for a page; `reload` fetches again. Aborts a stale load when the key changes. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | undefined; err: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | undefined>();
  const [err, setErr] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    load(ac.signal)
      .then((d) => {
        if (!ac.signal.aborted) {
          setData(d);
          setErr(undefined);
        }
      })
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setErr(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  return { data, err, loading, reload: () => setN((x) => x + 1) };
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-label={title}>
      <header class="page-head">
        <h1>{title}</h1>
        <div class="page-actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}

/** Newest / Older over a cursor list. */
export function CursorPager({ cursor, next, onCursor }: { cursor: string | undefined; next: string | null | undefined; onCursor: (c: string | undefined) => void }) {
  return (
    <div class="pager">
      <button type="button" disabled={cursor === undefined} onClick={() => onCursor(undefined)}>
        Newest
      </button>
      <button type="button" disabled={!next} onClick={() => onCursor(next!)}>
        Older
      </button>
    </div>
  );
}
