import { describe, expect, it } from 'vitest';
import { needsOf, TOOL_NEEDS } from '../../scripts/test-env/needs.js';
import { planProvision, type MachineFacts } from '../../scripts/test-env/plan.js';

const SOGO = 'http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync';
const machine = (over: Partial<MachineFacts> = {}): MachineFacts => ({
  suite: 'full',
  missing: new Set(),
  root: true,
  sudo: false,
  apt: true,
  sogo: { url: SOGO, isDefault: true, up: true },
  ...over,
});

describe('the test machine provisioning decides from what the machine has', () => {
  it('installs nothing when every tool is there, and still runs the idempotent SOGo setup (it makes sure of the users)', () => {
    const plan = planProvision(machine());
    expect(plan).toMatchObject({ install: [], sogoSetup: true, stopSogoAfter: false, elevate: 'none', problems: [] });
  });

  it('installs the package of each missing tool once, in the table order', () => {
    const plan = planProvision(machine({ missing: new Set(['haproxy', 'wbxml2xml']) }));
    expect(plan.install).toEqual(['libwbxml2-utils', 'haproxy']);
    expect(plan.problems).toEqual([]);
  });

  it('a fresh machine: every package, SOGo started and stopped after the run', () => {
    const plan = planProvision(machine({ missing: new Set(TOOL_NEEDS.map((n) => n.command)), sogo: { url: SOGO, isDefault: true, up: false } }));
    expect(plan.install).toEqual(['libwbxml2-utils', 'redis-server', 'redis-tools', 'openssl', 'redis-sentinel', 'haproxy', 'chromium']);
    expect(plan).toMatchObject({ sogoSetup: true, stopSogoAfter: true, elevate: 'none', problems: [] });
  });

  it('the fast suite needs no SOGo and only its own tools', () => {
    const plan = planProvision(machine({ suite: 'fast', missing: new Set(['wbxml2xml']), sogo: { url: SOGO, isDefault: true, up: false } }));
    expect(plan).toMatchObject({ install: ['libwbxml2-utils'], sogoSetup: false, stopSogoAfter: false, problems: [] });
    expect(needsOf('fast').map((n) => n.command)).not.toContain('haproxy');
  });

  it('goes through sudo when not root but sudo works', () => {
    const plan = planProvision(machine({ root: false, sudo: true, missing: new Set(['haproxy']) }));
    expect(plan).toMatchObject({ install: ['haproxy'], elevate: 'sudo', problems: [] });
  });

  it('not root and no sudo: a missing tool stops the run, naming the package', () => {
    const plan = planProvision(machine({ root: false, sudo: false, missing: new Set(['redis-sentinel']) }));
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toMatch(/needs root.*apt-get install redis-sentinel/);
  });

  it('not root, nothing missing, SOGo up: uses SOGo as it is and needs no root', () => {
    const plan = planProvision(machine({ root: false, sudo: false }));
    expect(plan).toMatchObject({ install: [], sogoSetup: false, elevate: null, problems: [] });
  });

  it('not root, SOGo down: says that starting SOGo needs root', () => {
    const plan = planProvision(machine({ root: false, sudo: false, sogo: { url: SOGO, isDefault: true, up: false } }));
    expect(plan.problems[0]).toMatch(/needs root.*test\/e2e\/sogo\/setup\.sh/);
  });

  it('no apt-get: names each missing tool with its package and why', () => {
    const plan = planProvision(machine({ apt: false, missing: new Set(['wbxml2xml']) }));
    expect(plan.problems.join('\n')).toMatch(/no apt-get.*wbxml2xml \(libwbxml2-utils: the WBXML codec is compared with libwbxml\)/);
  });

  it('a SOGo of its own (EASGATE_SOGO_URL): never set up or stopped; when it does not answer, the run stops naming it', () => {
    const other = 'http://mail.test:8080/SOGo/Microsoft-Server-ActiveSync';
    expect(planProvision(machine({ sogo: { url: other, isDefault: false, up: true } }))).toMatchObject({ sogoSetup: false, stopSogoAfter: false, problems: [] });
    const down = planProvision(machine({ sogo: { url: other, isDefault: false, up: false } }));
    expect(down.problems[0]).toContain(`EASGATE_SOGO_URL=${other} does not answer`);
  });
});
