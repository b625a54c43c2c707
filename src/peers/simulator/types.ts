/**
 * Types of the device simulator: its options, a response as the simulator saw it, and the
 * conversation transcript.
 */
import type { Dispatcher } from 'undici';
import type { ProtocolVersion } from '../common/protocol.js';
import type { WbxmlElement } from '../common/tree.js';

/** The Settings DeviceInformation/Set values ([MS-ASCMD] 2.2.3.45; docs/protocol.md 4). */
export interface DeviceInformation {
  model: string;
  imei: string;
  friendlyName: string;
  os: string;
  osLanguage: string;
  phoneNumber: string;
  mobileOperator: string;
  userAgent: string;
}

export interface DeviceSimulatorOptions {
  /** The full EAS endpoint URL (…/Microsoft-Server-ActiveSync). */
  url: string;
  /** The logon name, in any form (`alice`, `EXAMPLE\alice`, `alice@example.test`). */
  user: string;
  password: string;
  deviceId?: string;
  deviceType?: string;
  protocolVersion?: ProtocolVersion;
  /** 'base64' needs protocol 12.1+ ([MS-ASHTTP] 2.2.1.1.1). */
  queryEncoding?: 'plain' | 'base64';
  userAgent?: string;
  deviceInformation?: Partial<DeviceInformation>;
  /** A dispatcher to send through; by default the simulator has its own Agent. */
  dispatcher?: Dispatcher;
  /** Windows LCID of the base64 query; default en-US. */
  locale?: number;
}

export interface EasResponse {
  /** The command as sent. */
  command: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The decoded WBXML body, when the response had one. */
  doc: WbxmlElement | undefined;
  /** The Status child of the root element, when there is one. */
  easStatus: number | undefined;
  /** The URL the request went to (after 451 redirects). */
  url: string;
}

/** One HTTP exchange as the simulator made it. */
export interface Exchange {
  /** What the device was doing, e.g. 'Provision (initial)'. */
  label: string;
  response: EasResponse;
  ms: number;
}

export interface TranscriptStep {
  /** What the device was doing: 'OPTIONS', 'Provision (initial)', 'Sync Inbox #2', … */
  step: string;
  command: string;
  httpStatus: number;
  easStatus: number | undefined;
  /** Facts that stay the same between two runs against the same mailbox. */
  facts: Record<string, unknown>;
  /** Values that change from run to run: keys, timings. */
  volatile: Record<string, unknown>;
}

export interface Transcript {
  protocolVersion: ProtocolVersion;
  queryEncoding: 'plain' | 'base64';
  deviceId: string;
  deviceType: string;
  steps: TranscriptStep[];
  /** Every step got HTTP 200 and no error status. */
  ok: boolean;
  /** Why the conversation stopped early, if it did. */
  stoppedBecause: string | undefined;
}
