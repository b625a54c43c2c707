import { describe, expect, it } from 'vitest';
import { commandByName } from '../../src/eas/commands.js';
import { refusal } from '../../src/eas/refusal.js';

const cmd = (n: string) => commandByName(n)!;

describe('refusal answers per protocol version (docs/protocol.md 2.2)', () => {
  it('gives 14.1 Sync HTTP 200 with <Sync><Status>129</Status></Sync>', () => {
    const r = refusal(cmd('Sync'), '14.1', 129);
    expect(r.httpStatus).toBe(200);
    // The vector gen-sync-status129: 03 01 6A 00 45 4E 03 "129" 00 01 01
    expect(r.body?.toString('hex')).toBe('03016a00454e0331323900' + '0101');
  });

  it('gives 14.0 FolderSync 126 in the FolderHierarchy page', () => {
    const r = refusal(cmd('FolderSync'), '14.0', 126);
    expect(r.httpStatus).toBe(200);
    expect(r.body?.subarray(4, 7).toString('hex')).toBe('000756');
  });

  it.each(['2.5', '12.0', '12.1', undefined])('gives version %s HTTP 403 with no body', (v) => {
    expect(refusal(cmd('Sync'), v, 129)).toEqual({ httpStatus: 403, body: undefined });
  });

  it('uses a status only where the version defines it: 177 at 14.0 becomes 403, at 14.1 a body', () => {
    expect(refusal(cmd('Sync'), '14.0', 177).httpStatus).toBe(403);
    expect(refusal(cmd('Sync'), '14.1', 177).httpStatus).toBe(200);
    expect(refusal(cmd('Sync'), '14.1', 178).httpStatus).toBe(403);
  });

  it('gives GetAttachment, which has no WBXML root, 403', () => {
    expect(refusal(cmd('GetAttachment'), '16.1', 129).httpStatus).toBe(403);
  });
});
