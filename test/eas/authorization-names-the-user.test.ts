import { describe, expect, it } from 'vitest';
import { readAuthorization } from '../../src/eas/auth-header.js';
import { basic, bearer } from '../helpers/credentials.js';

describe('the user named by Authorization', () => {
  it.each([
    ['alice', 'alice'],
    ['CORP\\dave', 'CORP\\dave'],
    ['carol@example.test', 'carol@example.test'],
  ])('reads Basic %s as %s, never the password', (user, expected) => {
    const id = readAuthorization(basic(user, 'S3cret-Pa55word!'));
    expect(id).toEqual({ scheme: 'basic', user: expected });
    expect(JSON.stringify(id)).not.toContain('S3cret');
  });

  it('keeps a password that contains colons out of the user name', () => {
    expect(readAuthorization(basic('alice', 'a:b:c')).user).toBe('alice');
  });

  it('reads the upn claim of a Bearer token without verifying it', () => {
    expect(readAuthorization(bearer('bob@example.test'))).toEqual({ scheme: 'bearer', user: 'bob@example.test' });
  });

  it.each([
    ['no header', undefined, 'none'],
    ['an empty Basic', 'Basic ', 'basic'],
    ['a Bearer that is not a JWT', 'Bearer abc', 'bearer'],
    ['a Bearer whose payload is not JSON', 'Bearer a.bm90IGpzb24.c', 'bearer'],
    ['NTLM', 'NTLM TlRMTVNTUAABAAAAB4IIog==', 'other'],
  ])('names no user for %s', (_what, header, scheme) => {
    const id = readAuthorization(header);
    expect(id.user).toBeUndefined();
    expect(id.scheme).toBe(scheme);
  });
});
