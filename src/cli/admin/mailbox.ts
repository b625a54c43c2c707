import { readFile } from 'node:fs/promises';
import { boolOption, flag, list, positional, reasonOf, str } from './args.js';
import { ApiCallError, segment, UsageError, type AdminIo } from './client.js';
import { fields, json } from './output.js';
import { Progress } from './progress.js';
import { runVerb, type Ctx } from './run.js';

/** `easgate mailbox show|set`, and `mailbox set --enabled false --from-file users.txt` (bulk, per line). */
export const MAILBOX_USAGE = `usage: easgate mailbox show USER [--json]
       easgate mailbox set USER [--enabled true|false] [--default-level Allow|Block|Quarantine|none]
                           [--allow ID] [--block ID] [--unlist ID]    (repeatable: one device ID each; allow and
                                                   block move it from the other list, as device allow|block do)
                           [--replace-allowed ID,ID] [--replace-blocked ID,ID]   (replace a whole list)
       easgate mailbox set --enabled true|false --from-file FILE|- [--create] [--json]
         one user per line (blank lines and # comments skipped); a result per line on stdout,
         a progress bar on stderr when it is a terminal; a user without a mailbox record is
         reported as unknown and left alone unless --create; exit 1 when a line failed
       easgate mailbox set --enabled true|false --domain DOMAIN [--json]   (every user of the domain)
  every change takes --reason TEXT (e.g. a ticket number), kept in the audit log
`;

const CHUNK = 100;
const MAX_LINE = 1000;

interface LineResult {
  line: number;
  input: string;
  user?: string;
  status: string;
  message?: string;
}

async function readLines(source: string, io: AdminIo): Promise<{ line: number; input: string }[]> {
  let text: string;
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ line: i + 1, input: raw.trim() }))
    .filter((l) => l.input !== '' && !l.input.startsWith('#'));
}

const FAILED = new Set(['invalid', 'license-limit', 'error', 'unknown']);

async function fromFile(ctx: Ctx, file: string, enabled: boolean, create: boolean): Promise<number> {
  const { api, io } = ctx;
  const lines = await readLines(file, io);
  const results: LineResult[] = [];
  const progress = new Progress(io.stderr, lines.length, enabled ? 'enabling' : 'disabling');
  const emit = (r: LineResult): void => {
    results.push(r);
    if (!flag(ctx.p, 'json')) io.stdout.write(`line ${r.line}\t${r.user ?? r.input}\t${r.status}${r.message === undefined ? '' : `: ${r.message}`}\n`);
  };
  for (let i = 0; i < lines.length; i += CHUNK) {
    const chunk = lines.slice(i, i + CHUNK);
    const sendable = chunk.filter((l) => l.input.length <= MAX_LINE);
    let answers: { input: string; user?: string; status: string; message?: string }[] = [];
    let failure: string | undefined;
    try {
      if (sendable.length > 0) answers = (await api.call<{ results: typeof answers }>('POST', '/mailboxes/bulk', { activeSyncEnabled: enabled, users: sendable.map((l) => l.input), ...(create ? { create } : {}), ...reasonOf(ctx.p) })).results;
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      failure = `${err.code}: ${err.message}`;
    }
    let k = 0;
    for (const l of chunk) {
      if (l.input.length > MAX_LINE) emit({ line: l.line, input: `${l.input.slice(0, 40)}…`, status: 'invalid', message: `longer than ${MAX_LINE} characters` });
      else if (failure !== undefined) emit({ line: l.line, input: l.input, status: 'error', message: failure });
      else {
        const a = answers[k++];
        emit({ line: l.line, input: l.input, status: a?.status ?? 'error', ...(a?.user === undefined ? {} : { user: a.user }), ...(a?.message === undefined ? {} : { message: a.message }) });
      }
    }
    progress.update(Math.min(lines.length, i + CHUNK));
  }
  progress.end();
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  if (flag(ctx.p, 'json')) json(io.stdout, { results, counts });
  io.stderr.write(`${results.length} lines: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to do'}\n`);
  return results.some((r) => FAILED.has(r.status)) ? 1 : 0;
}

const PER_USER = ['allow', 'block', 'unlist', 'replace-allowed', 'replace-blocked', 'default-level'];

async function setMailbox(ctx: Ctx): Promise<number> {
  const { p, api } = ctx;
  for (const old of ['allowed', 'blocked']) {
    if (str(p, old) !== undefined) throw new UsageError(`--${old} would replace the whole list: use --${old.slice(0, -2)} ID to add one (it leaves the other list), --unlist ID to remove one, or --replace-${old} ID,ID`);
  }
  const enabled = boolOption(p, 'enabled');
  const file = str(p, 'from-file');
  const domain = str(p, 'domain');
  if (file !== undefined || domain !== undefined) {
    if (enabled === undefined || p.positionals.length > 0 || (file !== undefined && domain !== undefined) || PER_USER.some((o) => p.values[o] !== undefined)) {
      throw new UsageError('--from-file and --domain take --enabled true|false (and --create, --reason) and nothing else');
    }
    if (file !== undefined) return fromFile(ctx, file, enabled, flag(p, 'create'));
    const r = await api.call<{ results: LineResult[]; counts: Record<string, number> }>('POST', '/mailboxes/bulk', { activeSyncEnabled: enabled, domain, ...reasonOf(p) });
    if (flag(p, 'json')) json(ctx.io.stdout, r);
    else for (const x of r.results) ctx.io.stdout.write(`${x.user ?? x.input}\t${x.status}\n`);
    ctx.io.stderr.write(`${r.results.length} users: ${Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to do'}\n`);
    return r.results.some((x) => FAILED.has(x.status)) ? 1 : 0;
  }
  if (flag(p, 'create')) throw new UsageError('--create goes with --from-file');
  const level = str(p, 'default-level');
  const ids = (name: string): string[] | undefined => (Array.isArray(p.values[name]) ? (p.values[name] as string[]) : undefined);
  const body = {
    ...(enabled === undefined ? {} : { activeSyncEnabled: enabled }),
    ...(ids('allow') === undefined ? {} : { allow: ids('allow') }),
    ...(ids('block') === undefined ? {} : { block: ids('block') }),
    ...(ids('unlist') === undefined ? {} : { unlist: ids('unlist') }),
    ...(list(p, 'replace-allowed') === undefined ? {} : { allowedDeviceIds: list(p, 'replace-allowed') }),
    ...(list(p, 'replace-blocked') === undefined ? {} : { blockedDeviceIds: list(p, 'replace-blocked') }),
    ...(level === undefined ? {} : { defaultAccessLevel: level === 'none' ? null : level }),
    ...reasonOf(p),
  };
  const m = await api.call<Record<string, unknown>>('PUT', `/mailboxes${segment(positional(p, 0, 'USER'))}`, body);
  if (flag(p, 'json')) json(ctx.io.stdout, m);
  else fields(ctx.io.stdout, m);
  return 0;
}

export function runMailbox(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'mailbox',
    MAILBOX_USAGE,
    {
      show: {
        options: { json: { type: 'boolean' } },
        async run({ p, api, io: out }) {
          const m = await api.call<Record<string, unknown>>('GET', `/mailboxes${segment(positional(p, 0, 'USER'))}`);
          if (flag(p, 'json')) json(out.stdout, m);
          else fields(out.stdout, m);
          return 0;
        },
      },
      set: {
        options: {
          enabled: { type: 'string' },
          allow: { type: 'string', multiple: true },
          block: { type: 'string', multiple: true },
          unlist: { type: 'string', multiple: true },
          'replace-allowed': { type: 'string' },
          'replace-blocked': { type: 'string' },
          allowed: { type: 'string' },
          blocked: { type: 'string' },
          'default-level': { type: 'string' },
          'from-file': { type: 'string' },
          domain: { type: 'string' },
          create: { type: 'boolean' },
          reason: { type: 'string' },
          json: { type: 'boolean' },
        },
        run: setMailbox,
      },
    },
    args,
    io,
  );
}
