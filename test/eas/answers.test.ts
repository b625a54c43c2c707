import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandStatusAnswer, pingAnswer, provisionWipeDirective } from '../../src/eas/answers.js';
import { COMMANDS } from '../../src/eas/commands.js';
import { decode, el, textOf, type WbxmlElement } from '../../src/wbxml/index.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/wbxml/${name}`, import.meta.url));
const hex = (bytes: Uint8Array | null): string => (bytes === null ? 'null' : Buffer.from(bytes).toString('hex'));

describe('a command root with a common Status', () => {
  it('Sync 129 is the vector gen-sync-status129 (03 01 6A 00 45 4E 03 "129" 00 01 01)', () => {
    expect(hex(commandStatusAnswer('Sync', 129))).toBe(hex(fixture('gen-sync-status129.wbxml')));
  });

  it('FolderSync 142 is the vector gen-foldersync-status142 ([MS-ASPROV] 4.1.1)', () => {
    expect(hex(commandStatusAnswer('FolderSync', 142))).toBe(hex(fixture('gen-foldersync-status142.wbxml')));
  });

  it.each([
    ['Sync', 'AirSync', 'Sync'], ['FolderSync', 'FolderHierarchy', 'FolderSync'], ['FolderCreate', 'FolderHierarchy', 'FolderCreate'],
    ['FolderDelete', 'FolderHierarchy', 'FolderDelete'], ['FolderUpdate', 'FolderHierarchy', 'FolderUpdate'], ['Ping', 'Ping', 'Ping'],
    ['Provision', 'Provision', 'Provision'], ['Settings', 'Settings', 'Settings'], ['GetItemEstimate', 'GetItemEstimate', 'GetItemEstimate'],
    ['ItemOperations', 'ItemOperations', 'ItemOperations'], ['Search', 'Search', 'Search'], ['MoveItems', 'Move', 'MoveItems'],
    ['MeetingResponse', 'MeetingResponse', 'MeetingResponse'], ['ResolveRecipients', 'ResolveRecipients', 'ResolveRecipients'],
    ['ValidateCert', 'ValidateCert', 'ValidateCert'], ['SendMail', 'ComposeMail', 'SendMail'], ['SmartReply', 'ComposeMail', 'SmartReply'],
    ['SmartForward', 'ComposeMail', 'SmartForward'], ['Find', 'Find', 'Find'],
  ])('%s: <%s:%s><Status> on its own page', (command, ns, root) => {
    const tree = decode(commandStatusAnswer(command, 126)!);
    expect(tree).toEqual(el(`${ns}:${root}`, el('Status', '126')));
  });

  it('answers every command of the registry except GetAttachment, which has no WBXML root', () => {
    for (const command of COMMANDS) {
      expect(commandStatusAnswer(command.name, 129) === null, command.name).toBe(command.name === 'GetAttachment');
    }
  });

  it('takes the command name in any case and answers null for an unknown one', () => {
    expect(hex(commandStatusAnswer('sync', 129))).toBe(hex(fixture('gen-sync-status129.wbxml')));
    expect(commandStatusAnswer('Teleport', 129)).toBeNull();
  });

  it('refuses a status that is not a non-negative integer', () => {
    expect(() => commandStatusAnswer('Sync', -1)).toThrow(/status/);
    expect(() => commandStatusAnswer('Sync', 1.5)).toThrow(/status/);
  });
});

describe('the Provision wipe directive', () => {
  it('RemoteWipe is the vector gen-provision-remotewipe-directive', () => {
    expect(hex(provisionWipeDirective({ accountOnly: false }))).toBe(hex(fixture('gen-provision-remotewipe-directive.wbxml')));
    expect(hex(provisionWipeDirective({ accountOnly: false }))).toBe('03016a00000e454b033100010c01');
  });

  it('AccountOnlyRemoteWipe (16.1) is the hand-encoded vector 03 01 6A 00 00 0E 45 4B 03 31 00 01 3B 01', () => {
    expect(hex(provisionWipeDirective({ accountOnly: true }))).toBe(hex(fixture('hand-provision-accountonly-wipe-directive.wbxml')));
  });
});

describe('the Ping answer', () => {
  it('Status 5 with the allowed HeartbeatInterval is the vector gen-ping-response-hbi-out-of-range', () => {
    expect(hex(pingAnswer(5, { heartbeatInterval: 3540 }))).toBe(hex(fixture('gen-ping-response-hbi-out-of-range.wbxml')));
  });

  it('Status 2 with the changed folders is the vector gen-ping-response-changes', () => {
    expect(hex(pingAnswer(2, { folders: ['5'] }))).toBe(hex(fixture('gen-ping-response-changes.wbxml')));
  });

  it('Status 1 alone; Status 6 with MaxFolders; parts in PingResponse.xsd order ([MS-ASCMD] 6.30)', () => {
    expect(hex(pingAnswer(1))).toBe('03016a00000d454703310001' + '01');
    const tree = decode(pingAnswer(6, { maxFolders: 300, heartbeatInterval: 60, folders: ['1', '2'] }));
    expect(tree.children.map((c) => (c as WbxmlElement).name)).toEqual(['Status', 'Folders', 'MaxFolders', 'HeartbeatInterval']);
    expect(textOf(tree.children[2] as WbxmlElement)).toBe('300');
  });
});
