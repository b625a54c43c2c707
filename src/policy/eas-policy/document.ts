/**
 * A gateway-owned ActiveSync policy: a name, the EASProvisionDoc settings it sets (the others
 * keep Exchange's defaults, settings.ts), whether devices that cannot apply a policy may sync,
 * and how often devices must provision again. Validated against each setting's type and
 * range; two policies merge into the stricter of the two, setting by setting.
 */
import { closestName } from '../../closest-name.js';
import { PolicyError } from '../errors.js';
import { bool, fail, int, object, opt, req, str, type Check } from '../validate.js';
import { EAS_POLICY_SETTINGS, SETTING_BY_NAME, type SettingSpec, type SettingValue } from './settings.js';

export interface EasPolicy {
  /** letters, digits, '.', '_' and '-' (it is part of URLs) */
  name: string;
  description?: string;
  /** only the settings the policy sets; absent ones have their default */
  settings: Record<string, SettingValue>;
  /** devices that cannot apply a policy (no Provision support) may sync; Exchange's AllowNonProvisionableDevices */
  allowNonProvisionableDevices: boolean;
  /** seconds after which a device must provision again (0: never); Exchange's DevicePolicyRefreshInterval */
  refreshIntervalSeconds: number;
}

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function settingCheck(spec: SettingSpec): Check<SettingValue> {
  const k = spec.kind;
  return (v, path) => {
    switch (k.type) {
      case 'allow':
      case 'require':
        return bool(v, path);
      case 'at-least':
      case 'at-most':
        return v === null ? null : int(k.min, k.max)(v, path);
      case 'ordered':
        return k.order.includes(v as number) ? (v as number) : fail(path, `one of ${[...k.order].sort((a, b) => a - b).join(', ')} (${spec.doc})`);
      case 'approved-list':
      case 'denied-list': {
        if (!Array.isArray(v)) fail(path, 'an array of strings');
        if (v.length > 1000) fail(path, 'at most 1000 entries');
        const item = k.type === 'approved-list' ? str({ min: 40, max: 40, pattern: /^[0-9A-Fa-f]{40}$/, what: 'a SHA-1 hash as 40 hex digits' }) : str({ min: 1, max: 256 });
        const items = v.map((x, i) => item(x, `${path}[${i}]`));
        return [...new Set(k.type === 'approved-list' ? items.map((h) => h.toUpperCase()) : items)];
      }
    }
  };
}

const settingsCheck: Check<Record<string, SettingValue>> = (v, path) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object of EASProvisionDoc settings');
  const out: Record<string, SettingValue> = {};
  for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
    const spec = SETTING_BY_NAME.get(name);
    if (spec === undefined) {
      throw new PolicyError('EASGATE_ERR_POLICY_FILE_INVALID', `${path}.${name}: not a setting of EASProvisionDoc (did you mean ${closestName(name, SETTING_BY_NAME.keys())}?)`, { path: `${path}.${name}` });
    }
    out[name] = settingCheck(spec)(value, `${path}.${name}`);
  }
  return out;
};

const policyShape = object({
  name: req(str({ min: 1, max: 64, pattern: POLICY_NAME, what: "a name of letters, digits, '.', '_' and '-' (at most 64)" })),
  description: opt(str({ max: 500 })),
  settings: opt(settingsCheck),
  allowNonProvisionableDevices: opt(bool),
  refreshIntervalSeconds: opt(int(0, 365 * 24 * 3600)),
});

/** Validates a policy as the API and the policy file receive it; throws a PolicyError naming the field. */
export function parseEasPolicy(value: unknown, path = 'policy'): EasPolicy {
  const p = policyShape(value, path);
  return {
    name: p.name,
    ...(p.description !== undefined ? { description: p.description } : {}),
    settings: p.settings ?? {},
    allowNonProvisionableDevices: p.allowNonProvisionableDevices ?? false,
    refreshIntervalSeconds: p.refreshIntervalSeconds ?? 0,
  };
}

/** Every setting's value: the policy's, or the default. */
export function effectiveSettings(settings: Readonly<Record<string, SettingValue>>): Map<string, SettingValue> {
  return new Map(EAS_POLICY_SETTINGS.map((s) => [s.name, s.name in settings ? settings[s.name]! : s.default]));
}

/** The stricter of two values of one setting. */
export function stricterValue(spec: SettingSpec, a: SettingValue, b: SettingValue): SettingValue {
  const k = spec.kind;
  switch (k.type) {
    case 'allow':
      return a === true && b === true;
    case 'require':
      return a === true || b === true;
    case 'at-least':
      return a === null ? b : b === null ? a : Math.max(a as number, b as number);
    case 'at-most':
      return a === null ? b : b === null ? a : Math.min(a as number, b as number);
    case 'ordered':
      return k.order.indexOf(a as number) <= k.order.indexOf(b as number) ? a : b;
    case 'denied-list':
      return [...new Set([...(a as string[]), ...(b as string[])])].sort();
    case 'approved-list': {
      // An empty list is no list (every application may run); hashes are upper case (parseEasPolicy).
      const x = a as string[];
      const y = b as string[];
      if (x.length === 0 || y.length === 0) return [...(x.length === 0 ? y : x)].sort();
      const other = new Set(y);
      return x.filter((h) => other.has(h)).sort();
    }
  }
}

/**
 * The stricter of two complete setting sets, setting by setting: what a device is asked to
 * apply when the gateway's policy and the upstream's both stand, so that it never complies
 * with less than either asks.
 */
export function stricterOf(a: ReadonlyMap<string, SettingValue>, b: ReadonlyMap<string, SettingValue>): Map<string, SettingValue> {
  return new Map(EAS_POLICY_SETTINGS.map((s) => [s.name, stricterValue(s, a.get(s.name) ?? s.default, b.get(s.name) ?? s.default)]));
}
