import type { Io } from '../../main.js';
import { runAudit, runGrandfather, runPurge } from './actions.js';
import { runDevice, runDevices } from './devices.js';
import { runMailbox } from './mailbox.js';
import { runDomain, runLicense, runOrg, runRules } from './policy.js';
import { runDeviceIds, runSystem, runTokens } from './settings.js';
import { runSync } from './sync.js';

/**
 * The admin verbs of `easgate`, clients of the admin API (EASGATE_API_URL,
 * EASGATE_API_TOKEN). Exit codes: 0 done, 1 the API refused or could not be reached (or a
 * line of a file failed), 2 a usage error.
 */
export const ADMIN_VERBS: Record<string, { summary: string; run(args: string[], io: Io): Promise<number> }> = {
  devices: { summary: 'devices list: list and search device associations (filters, --json or a table)', run: runDevices },
  device: { summary: 'device show|allow|block|wipe|cancel-wipe|link|unlink|remove|comment USER DEVICEID', run: runDevice },
  mailbox: { summary: 'mailbox show|set USER; mailbox set --enabled false --from-file users.txt | --domain D', run: runMailbox },
  rules: { summary: 'rules list|add|remove: device access rules', run: runRules },
  org: { summary: 'org show|set: default access level, admin mail recipients, user mail text', run: runOrg },
  domain: { summary: 'domain list|set: mail domains with their ActiveSync users', run: runDomain },
  license: { summary: 'license [set --total N [--expires DATE] | set --none]: total, in use, days remaining', run: runLicense },
  system: { summary: 'system show|set: ActiveSync on or off for everyone, and the license', run: runSystem },
  'device-ids': { summary: 'device-ids list|add|remove: device IDs allowed or blocked for every mailbox', run: runDeviceIds },
  tokens: { summary: 'tokens list|create|revoke: the admin API tokens and their roles', run: runTokens },
  grandfather: { summary: 'grandfather --since 30d [--dry-run]: allow every device seen since then', run: runGrandfather },
  purge: { summary: 'purge --older-than-days N [--state S] [--dry-run]: remove stale associations', run: runPurge },
  audit: { summary: 'audit [--actor NAME] [--object TYPE:KEY]: who changed what', run: runAudit },
  sync: { summary: 'sync run [--full] | sync status: the management-backend sync', run: runSync },
};

export type { AdminIo } from './client.js';
