import { describe, expect, it } from 'vitest';
import { licenseEndMs, licenseStatus } from '../../src/policy/index.js';

describe('license', () => {
  it('ends a date-only license at the end of that day, UTC', () => {
    expect(licenseEndMs({ total: 1, expiresAt: '2027-12-31' })).toBe(Date.parse('2028-01-01T00:00:00Z'));
    expect(licenseEndMs({ total: 1, expiresAt: '2027-12-31T08:00:00Z' })).toBe(Date.parse('2027-12-31T08:00:00Z'));
    expect(licenseEndMs({ total: 1 })).toBe(Infinity);
    expect(licenseEndMs(undefined)).toBe(Infinity);
    expect(licenseEndMs({ total: 1, expiresAt: '2027-02-30' })).toBeNaN();
  });

  it('reports total, use, days remaining, full and over the limit', () => {
    const now = Date.parse('2027-12-30T12:00:00Z');
    expect(licenseStatus({ total: 3, expiresAt: '2027-12-31' }, 3, now)).toEqual({
      total: 3,
      inUse: 3,
      expired: false,
      daysRemaining: 1,
      overLimit: false,
      full: true,
    });
    expect(licenseStatus(undefined, 5, now)).toMatchObject({ total: Infinity, full: false, overLimit: false, daysRemaining: undefined });
    expect(licenseStatus({ total: 2 }, 3, now).overLimit).toBe(true);
  });
});
