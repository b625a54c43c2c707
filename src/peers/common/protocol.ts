/**
 * EAS facts both peers share: protocol versions, the default folder hierarchy's types and
 * the content types of [MS-ASHTTP] 2.2.1.1.2.3.
 */
export const PROTOCOL_VERSIONS = ['2.5', '12.0', '12.1', '14.0', '14.1', '16.0', '16.1'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export function isProtocolVersion(v: string): v is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly string[]).includes(v);
}

/** Versions are "major.minor" with one minor digit, so numeric order is protocol order. */
export function versionAtLeast(version: string, min: string): boolean {
  return Number(version) >= Number(min);
}

export const WBXML_CONTENT_TYPE = 'application/vnd.ms-sync.wbxml';
export const MIME_CONTENT_TYPE = 'message/rfc822';

/** Folder types of [MS-ASCMD] 2.2.3.186.3 that the peers use. */
export const FOLDER_TYPE = {
  inbox: 2,
  drafts: 3,
  deleted: 4,
  sent: 5,
  outbox: 6,
  calendar: 8,
  contacts: 9,
} as const;

/** The item class a folder of this type holds (the Class of Sync/Ping, [MS-ASCMD] 2.2.3.27). */
export function classOfFolderType(type: number): string {
  if (type === FOLDER_TYPE.calendar || type === 13) return 'Calendar';
  if (type === FOLDER_TYPE.contacts || type === 14) return 'Contacts';
  if (type === 7 || type === 15) return 'Tasks';
  if (type === 10 || type === 17) return 'Notes';
  return 'Email';
}
