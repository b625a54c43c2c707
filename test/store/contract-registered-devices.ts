import { describe, expect, it } from 'vitest';
import { useStore, type MakeStore } from './fixture.js';

/** The backend's registered devices: lookups by device ID (any case), then user plus IMEI. */
export function registeredDevicesContract(name: string, make: MakeStore): void {
  describe(`${name}: registered backend devices`, () => {
    const t = useStore(make);

    it('finds a record by device ID without regard to case, for any user', async () => {
      const r = t.store.registeredDevices;
      await r.put({ backendDeviceId: 'b1', deviceId: 'ApplDN1', user: 'ann@x.test' });
      expect(await r.find('appldn1', 'ann@x.test')).toBe('b1');
      expect(await r.find('APPLDN1', 'second@x.test')).toBe('b1');
      expect(await r.find('other', 'ann@x.test')).toBeUndefined();
    });

    it('finds a record by user plus IMEI when the device ID is not known to the backend', async () => {
      const r = t.store.registeredDevices;
      await r.put({ backendDeviceId: 'b2', user: 'bob@x.test', imei: '35-1234' });
      expect(await r.find('NEWID', 'bob@x.test', '35-1234')).toBe('b2');
      expect(await r.find('NEWID', 'bob@x.test')).toBeUndefined();
      expect(await r.find('NEWID', 'eve@x.test', '35-1234')).toBeUndefined();
    });

    it('a put replaces the record and its index entries; a removal drops them', async () => {
      const r = t.store.registeredDevices;
      await r.put({ backendDeviceId: 'b3', deviceId: 'OLD', user: 'cy@x.test', imei: 'I1' });
      await r.put({ backendDeviceId: 'b3', deviceId: 'NEW', user: 'cy@x.test', imei: 'I2' });
      expect(await r.find('old', 'cy@x.test')).toBeUndefined();
      expect(await r.find('x', 'cy@x.test', 'I1')).toBeUndefined();
      expect(await r.find('new', 'cy@x.test')).toBe('b3');
      expect(await r.find('x', 'cy@x.test', 'i2')).toBe('b3');
      await r.remove('b3');
      expect(await r.find('new', 'cy@x.test')).toBeUndefined();
      expect(await r.find('x', 'cy@x.test', 'I2')).toBeUndefined();
      await r.remove('never-there');
    });

    it('removing one record leaves another that took over its device ID', async () => {
      const r = t.store.registeredDevices;
      await r.put({ backendDeviceId: 'first', deviceId: 'SHARED' });
      await r.put({ backendDeviceId: 'second', deviceId: 'SHARED' });
      await r.remove('first');
      expect(await r.find('shared', 'u@x.test')).toBe('second');
    });
  });
}
