/**
 * Turns one HTTP exchange into a transcript step: the facts that two runs against the
 * same mailbox share (folders, item counts, statuses), and apart from them what varies
 * (keys, timings).
 */
import { readFolderSync, readGetItemEstimate, readPing, readProvision, readSettings, readSync } from './readers.js';
import type { Exchange, Transcript, TranscriptStep } from './types.js';

function header(ex: Exchange, name: string): string | undefined {
  const v = ex.response.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function bodyFacts(ex: Exchange): { facts: Record<string, unknown>; volatile: Record<string, unknown> } {
  const doc = ex.response.status === 200 ? ex.response.doc : undefined;
  switch (ex.response.command) {
    case 'OPTIONS':
      return { facts: { versions: header(ex, 'ms-asprotocolversions'), commands: header(ex, 'ms-asprotocolcommands') }, volatile: {} };
    case 'Provision': {
      const p = readProvision(doc);
      const facts = { policyType: p.policyType, policyStatus: p.policyStatus, policySettings: p.policySettings.length, deviceInformationStatus: p.deviceInformationStatus, remoteWipe: p.remoteWipe };
      return { facts, volatile: { policyKey: p.policyKey } };
    }
    case 'Settings':
      return { facts: { deviceInformationStatus: readSettings(doc).deviceInformationStatus }, volatile: {} };
    case 'FolderSync': {
      const f = readFolderSync(doc);
      return { facts: { folders: f.added.map((x) => `${x.displayName} (type ${x.type})`), deleted: f.deleted.length }, volatile: { syncKey: f.syncKey } };
    }
    case 'Sync': {
      const s = readSync(doc);
      const collections = s.collections.map((c) => ({ collectionId: c.collectionId, status: c.status, added: c.added.length, moreAvailable: c.moreAvailable }));
      return { facts: { empty: ex.response.status === 200 && doc === undefined, collections, limit: s.limit }, volatile: { syncKeys: s.collections.map((c) => c.syncKey) } };
    }
    case 'GetItemEstimate':
      return { facts: { estimates: readGetItemEstimate(doc).map((e) => ({ collectionId: e.collectionId, status: e.status, estimate: e.estimate })) }, volatile: {} };
    case 'Ping': {
      const p = readPing(doc);
      return { facts: { folders: p.folders, heartbeatInterval: p.heartbeatInterval }, volatile: {} };
    }
    case 'SendMail':
      return { facts: { receivedBytes: header(ex, 'x-sample-received-bytes') }, volatile: {} };
    default:
      return { facts: {}, volatile: {} };
  }
}

/** Drops undefined values so that transcripts compare and print cleanly. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export function stepOf(ex: Exchange): TranscriptStep {
  const { facts, volatile } = bodyFacts(ex);
  const r = ex.response;
  const extra: Record<string, unknown> = {};
  const retryAfter = header(ex, 'retry-after');
  if (r.status === 401) extra.authenticate = header(ex, 'www-authenticate');
  if (retryAfter !== undefined) extra.retryAfter = retryAfter;
  return {
    step: ex.label,
    command: r.command,
    httpStatus: r.status,
    easStatus: r.easStatus,
    facts: defined({ ...facts, ...extra }),
    volatile: defined({ ...volatile, location: header(ex, 'x-ms-location'), ms: ex.ms }),
  };
}

/** The parts of a transcript that must match between two runs (e.g. direct vs through the gateway). */
export function stableTranscript(t: Transcript): Omit<TranscriptStep, 'volatile'>[] {
  return t.steps.map(({ step, command, httpStatus, easStatus, facts }) => ({ step, command, httpStatus, easStatus, facts }));
}
