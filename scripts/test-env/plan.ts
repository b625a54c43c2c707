/**
 * The provisioning decisions as a pure function of what the machine has: which packages to
 * install, whether to bring SOGo up (and stop it after the run), and what stops the run
 * with a message instead. provision.ts gathers the facts and carries the plan out.
 */
import { needsOf, SOGO_SETUP, type Suite } from './needs.js';

export interface MachineFacts {
  readonly suite: Suite;
  /** commands of the suite's needs that are not on PATH */
  readonly missing: ReadonlySet<string>;
  /** running as root */
  readonly root: boolean;
  /** `sudo -n true` works */
  readonly sudo: boolean;
  /** apt-get is there (a Debian machine) */
  readonly apt: boolean;
  /** SOGo: the URL the e2e suite uses, and whether it answered OPTIONS with 200 */
  readonly sogo: { readonly url: string; readonly isDefault: boolean; readonly up: boolean };
}

export interface ProvisionPlan {
  /** Debian packages to install, each once, in one apt-get call */
  readonly install: readonly string[];
  /** run test/e2e/sogo/setup.sh (idempotent: it also makes sure of the suite's users) */
  readonly sogoSetup: boolean;
  /** this run brings SOGo up, so it stops it at the end */
  readonly stopSogoAfter: boolean;
  /** how to become root for the steps above: null when nothing needs it */
  readonly elevate: 'none' | 'sudo' | null;
  /** reasons the run cannot go on; empty when it can */
  readonly problems: readonly string[];
}

export function planProvision(facts: MachineFacts): ProvisionPlan {
  const needs = needsOf(facts.suite).filter((n) => facts.missing.has(n.command));
  const install = [...new Set(needs.map((n) => n.pkg))];
  const problems: string[] = [];
  const wantsSogo = facts.suite === 'full';

  // The default rig is set up whenever we can (it also makes sure of the users, 3 s when up);
  // a SOGo that answers already is used as it is when we cannot become root.
  const canElevate = facts.root || facts.sudo;
  let sogoSetup = false;
  if (wantsSogo && facts.sogo.isDefault) sogoSetup = canElevate || !facts.sogo.up;
  if (wantsSogo && !facts.sogo.isDefault && !facts.sogo.up) {
    problems.push(`EASGATE_SOGO_URL=${facts.sogo.url} does not answer OPTIONS as alice with 200 (the e2e suite needs it; unset it to use the suite's own SOGo)`);
  }

  const rootWork = [...install.map((p) => `apt-get install ${p}`), ...(sogoSetup ? [`${SOGO_SETUP} (SOGo, the e2e suite's ActiveSync server)`] : [])];
  if (rootWork.length > 0 && !canElevate) {
    problems.push(`needs root to set up the test machine: ${rootWork.join('; ')}. Run as root or with passwordless sudo, or do these yourself.`);
  }
  if (install.length > 0 && !facts.apt) {
    problems.push(`no apt-get here (the tests expect Debian 12): install ${needs.map((n) => `${n.command} (${n.pkg}: ${n.why})`).join(', ')} yourself`);
  }
  const elevate = rootWork.length === 0 ? null : facts.root ? 'none' : 'sudo';
  return { install, sogoSetup, stopSogoAfter: sogoSetup && !facts.sogo.up, elevate, problems };
}
