/**
 * The ApplicationData of an email in a Sync Add: Email page properties plus an
 * AirSyncBase Body for 12.0+ ([MS-ASEMAIL] 2.2.2, [MS-ASAIRS] 2.2.2.9), or the 2.5 Email
 * Body/BodyTruncated pair.
 */
import { versionAtLeast } from '../../common/protocol.js';
import { page, type WbxmlElement } from '../../common/tree.js';
import type { SampleMail } from '../mailbox.js';

const a = page('AirSync');
const e = page('Email');
const b = page('AirSyncBase');

export interface BodyPreference {
  /** 1 plain text, 2 HTML, 3 RTF, 4 MIME ([MS-ASAIRS] 2.2.2.22.1). */
  type: number;
  truncationSize: number | undefined;
}

function displayName(address: string): string {
  return /^\s*"?([^"<]+?)"?\s*</.exec(address)?.[1] ?? address;
}

/** The mail as an RFC 5322 message (the Type 4 body). */
export function toMime(m: SampleMail): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${m.received.toUTCString()}`,
    `Message-ID: <${m.serverId.replace(':', '.')}.${m.received.getTime()}@sample.easgate>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    m.body,
  ].join('\r\n');
}

function bodyData(m: SampleMail, type: number): string {
  if (type === 4) return toMime(m);
  if (type === 2) return `<html><body><pre>${m.body.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre></body></html>`;
  return m.body;
}

function truncate(text: string, size: number | undefined): { data: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (size === undefined || bytes.length <= size) return { data: text, truncated: false };
  return { data: bytes.subarray(0, size).toString('utf8'), truncated: true };
}

export function applicationData(m: SampleMail, version: string, pref: BodyPreference): WbxmlElement {
  const head = [
    e('To', m.to),
    e('From', m.from),
    e('Subject', m.subject),
    e('DateReceived', m.received.toISOString()),
    e('DisplayTo', displayName(m.to)),
    e('ThreadTopic', m.subject),
    e('Importance', '1'),
    e('Read', m.read ? '1' : '0'),
  ];
  const tail = [e('MessageClass', 'IPM.Note'), e('InternetCPID', '65001'), e('ContentClass', 'urn:content-classes:message')];
  if (!versionAtLeast(version, '12.0')) {
    const { data, truncated } = truncate(m.body, pref.truncationSize);
    return a('ApplicationData', head, e('BodyTruncated', truncated ? '1' : '0'), e('Body', data), tail);
  }
  const type = [1, 2, 4].includes(pref.type) ? pref.type : 1;
  const full = bodyData(m, type);
  const { data, truncated } = truncate(full, pref.truncationSize);
  const body = b(
    'Body',
    b('Type', String(type)),
    b('EstimatedDataSize', String(Buffer.byteLength(full, 'utf8'))),
    truncated ? b('Truncated', '1') : undefined,
    b('Data', data),
  );
  return a('ApplicationData', head, body, tail, b('NativeBodyType', '1'));
}
