import { ACCESS_STATES, type AccessState } from '../policy/index.js';
import { TEXT_INDEXES } from './association-codec.js';
import { StoreError } from './errors.js';
import type { SearchField } from './types.js';

export { TEXT_INDEXES };

/**
 * The Redis key schema (docs/store.md). Every key carries the hash tag `{prefix}`, so all
 * of one gateway's keys live in one Cluster slot and every script and MULTI works on
 * Cluster; a second tenant on the same Cluster takes another prefix (and slot).
 */
/**
 * The version of this key schema, kept in `{prefix}:schema`. A change that an older
 * version would misread (a key renamed, a field that changes meaning) raises it; a new key
 * or field that older versions ignore does not.
 */
export const KEY_SCHEMA_VERSION = 1;

export interface KeySchema {
  readonly tag: string;
  /** string: the key schema version the data is written in (KEY_SCHEMA_VERSION). */
  readonly schema: string;
  readonly system: string;
  readonly organization: string;
  readonly domains: string;
  readonly rules: string;
  readonly deviceIds: string;
  /** hash: policy name → EasPolicy JSON */
  readonly easPolicies: string;
  /** string: a shared secret of the deployment (sharedSecret) */
  secret(name: string): string;
  readonly policyVersion: string;
  readonly mailboxes: string;
  readonly mailboxIndex: string;
  readonly enabledMailboxes: string;
  readonly syncIndex: string;
  readonly firstSyncIndex: string;
  /** zset: score = change number, member = id (the backend sync's differential). */
  readonly changedIndex: string;
  /** The last change number given. */
  readonly changeSeq: string;
  /** zset: score = deletion number, member = id (pushed to the backend, then dropped). */
  readonly deletedIndex: string;
  /** The last deletion number given (its own sequence: a deletion is not a pending change). */
  readonly deletedSeq: string;
  readonly textIndex: { readonly [F in SearchField]: string };
  readonly stateIndex: { readonly [S in AccessState]: string };
  readonly changes: string;
  readonly tokens: string;
  readonly audit: { readonly seq: string; readonly entries: string; readonly all: string; by(kind: 'actor' | 'object' | 'type', value: string): string };
  association(id: string): string;
  history(id: string): string;
  /**
   * The keys every association script takes, in this order: hash, history, the text
   * indexes, the sync index, the four state indexes, the first-sync index, the change
   * index and its counter, the deletion index and its counter (Lua addresses
   * them by position).
   */
  associationKeys(id: string): string[];
}

const PREFIX = /^[A-Za-z0-9._:-]{1,64}$/;

export function keySchema(prefix: string): KeySchema {
  if (!PREFIX.test(prefix)) {
    throw new StoreError('EASGATE_ERR_STORE_BAD_CONFIG', `key prefix must match ${PREFIX} (got ${JSON.stringify(prefix)})`);
  }
  const p = `{${prefix}}`;
  const textIndex = Object.fromEntries(TEXT_INDEXES.map((f) => [f, `${p}:ai:${f}`])) as KeySchema['textIndex'];
  const stateIndex = Object.fromEntries(ACCESS_STATES.map((s) => [s, `${p}:ai:st:${s}`])) as KeySchema['stateIndex'];
  const syncIndex = `${p}:ai:sync`;
  const firstSyncIndex = `${p}:ai:first`;
  const changedIndex = `${p}:ai:chg`;
  const changeSeq = `${p}:ai:chgseq`;
  const deletedIndex = `${p}:ai:gone`;
  const deletedSeq = `${p}:ai:goneseq`;
  const association = (id: string): string => `${p}:a:${id}`;
  const history = (id: string): string => `${p}:ah:${id}`;
  return {
    tag: p,
    schema: `${p}:schema`,
    system: `${p}:system`,
    organization: `${p}:org`,
    domains: `${p}:domains`,
    rules: `${p}:rules`,
    deviceIds: `${p}:devids`,
    easPolicies: `${p}:easpol`,
    secret: (name: string) => `${p}:secret:${encodeURIComponent(name)}`,
    policyVersion: `${p}:pver`,
    mailboxes: `${p}:mbx`,
    mailboxIndex: `${p}:mbx:idx`,
    enabledMailboxes: `${p}:mbx:en`,
    syncIndex,
    firstSyncIndex,
    changedIndex,
    changeSeq,
    deletedIndex,
    deletedSeq,
    textIndex,
    stateIndex,
    changes: `${p}:changes`,
    tokens: `${p}:tok`,
    audit: {
      seq: `${p}:au:seq`,
      entries: `${p}:au:e`,
      all: `${p}:au:all`,
      by: (kind, value) => `${p}:au:${kind}:${encodeURIComponent(value)}`,
    },
    association,
    history,
    associationKeys: (id) => [
      association(id),
      history(id),
      ...TEXT_INDEXES.map((f) => textIndex[f]),
      syncIndex,
      ...ACCESS_STATES.map((s) => stateIndex[s]),
      firstSyncIndex,
      changedIndex,
      changeSeq,
      deletedIndex,
      deletedSeq,
    ],
  };
}
