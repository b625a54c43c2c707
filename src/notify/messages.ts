import type { Association, OrganizationSettings } from '../policy/model.js';
import type { OutgoingMail } from './mail-queue.js';

/**
 * The mails, as pure functions of the association and the organisation settings. Plain
 * text; values a device chose (model, user agent, …) are stripped of control characters so
 * that they cannot break a line or a header. One mail per recipient.
 */

const MAIL_ADDRESS = /^[^\s@<>",;:]+@[^\s@<>",;:]+\.[^\s@<>",;:]+$/;

/** True for something that can go in a To: header as it is (user@domain.tld). */
export function looksLikeMailAddress(s: string | undefined): s is string {
  return s !== undefined && s.length <= 254 && MAIL_ADDRESS.test(s);
}

/** Control characters (CR, LF, tabs, …) become spaces; absent values read `(unknown)`. */
export function clean(value: string | number | undefined): string {
  if (value === undefined || value === '') return '(unknown)';
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim() || '(unknown)';
}

function time(ms: number | undefined): string {
  return ms === undefined ? '(unknown)' : new Date(ms).toISOString();
}

function deviceName(a: Association): string {
  return clean(a.friendlyName ?? a.model ?? a.deviceType ?? a.deviceId);
}

/** The admin console's page of one association under the public URL. */
export function associationLink(publicUrl: string, a: Association): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/associations/${encodeURIComponent(a.user)}/${encodeURIComponent(a.deviceId)}`;
}

function recipients(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of list) {
    const t = r.trim();
    if (looksLikeMailAddress(t) && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      out.push(t);
    }
  }
  return out;
}

function userDeviceLines(a: Association): string[] {
  return [
    `  Device:      ${deviceName(a)}`,
    `  Model:       ${clean(a.model)}`,
    `  Type:        ${clean(a.deviceType)}`,
    `  Device ID:   ${clean(a.deviceId)}`,
    `  OS:          ${clean(a.os)}`,
    `  First seen:  ${time(a.firstSyncAt)}`,
  ];
}

function adminDeviceLines(a: Association): string[] {
  return [
    `  User:              ${clean(a.user)}`,
    `  Device model:      ${clean(a.model)}`,
    `  Device type:       ${clean(a.deviceType)}`,
    `  Device ID:         ${clean(a.deviceId)}`,
    `  Device OS:         ${clean(a.os)}`,
    `  User agent:        ${clean(a.userAgent)}`,
    `  Phone number:      ${clean(a.phoneNumber)}`,
    `  IMEI:              ${clean(a.imei)}`,
    `  Protocol version:  ${clean(a.protocolVersion)}`,
    `  Access state:      ${clean(a.accessState)}`,
    `  Access reason:     ${clean(a.accessReason)}`,
    `  Matching rule:     ${clean(a.matchedRuleId ?? '(none)')}`,
    `  State since:       ${time(a.accessStateAt)}`,
  ];
}

/** To the user, when the user is a mail address; undefined otherwise. */
export function quarantineUserMail(a: Association, org: OrganizationSettings): OutgoingMail | undefined {
  if (!looksLikeMailAddress(a.user)) return undefined;
  const insert = org.userMailInsert.trim();
  const text = [
    `Your device ${deviceName(a)} has been quarantined until an administrator allows it.`,
    '',
    'It cannot synchronise your mail, calendar and contacts until then. You do not need to do',
    'anything: once it is allowed, it synchronises on its own.',
    '',
    'The device:',
    ...userDeviceLines(a),
    ...(insert === '' ? [] : ['', insert]),
    '',
  ].join('\n');
  return { to: a.user, subject: `Your device ${deviceName(a)} is waiting for approval`, text };
}

/** To each of the organisation's AdminMailRecipients. */
export function quarantineAdminMails(a: Association, org: OrganizationSettings, publicUrl: string): OutgoingMail[] {
  const text = [
    `A device of ${clean(a.user)} has been quarantined and waits for your decision.`,
    '',
    ...adminDeviceLines(a),
    '',
    `Allow or block it: ${associationLink(publicUrl, a)}`,
    '',
  ].join('\n');
  const subject = `Quarantined: ${deviceName(a)} of ${clean(a.user)}`;
  return recipients(org.adminMailRecipients).map((to) => ({ to, subject, text }));
}

/** To the user, when a new device joins the mailbox; undefined when the user is no mail address. */
export function newDeviceMail(a: Association): OutgoingMail | undefined {
  if (!looksLikeMailAddress(a.user)) return undefined;
  const text = [
    `A new device has joined your mailbox: ${deviceName(a)}.`,
    '',
    ...userDeviceLines(a),
    `  User agent:  ${clean(a.userAgent)}`,
    '',
    'If this was not you, tell your administrator at once: they can block or wipe the device.',
    '',
  ].join('\n');
  return { to: a.user, subject: `A new device joined your mailbox: ${deviceName(a)}`, text };
}

/** To the wipe's requestor (when it is a mail address) and each AdminMailRecipient, once each. */
export function wipeAcknowledgedMails(a: Association, org: OrganizationSettings, publicUrl: string): OutgoingMail[] {
  const kind = a.wipeAccountOnly === true ? 'account-only wipe' : 'full wipe';
  const failed = a.wipeStatus === 'WipeFailed';
  const status = failed ? 'failed' : 'acknowledged';
  const first = failed
    ? `The device ${deviceName(a)} of ${clean(a.user)} reported that the ${kind} failed.`
    : `The device ${deviceName(a)} of ${clean(a.user)} has acknowledged the ${kind}.`;
  const text = [
    first,
    '',
    `  Wipe status:       ${clean(a.wipeStatus)}`,
    `  Requested by:      ${clean(a.wipeRequestedBy)}`,
    `  Requested at:      ${time(a.wipeRequestedAt)}`,
    `  Sent at:           ${time(a.wipeSentAt)}`,
    `  Acknowledged at:   ${time(a.wipeAckAt)}`,
    ...adminDeviceLines(a),
    '',
    `The association: ${associationLink(publicUrl, a)}`,
    '',
  ].join('\n');
  const subject = `Wipe ${status}: ${deviceName(a)} of ${clean(a.user)}`;
  const to = recipients([...(looksLikeMailAddress(a.wipeRequestedBy) ? [a.wipeRequestedBy] : []), ...org.adminMailRecipients]);
  return to.map((t) => ({ to: t, subject, text }));
}
