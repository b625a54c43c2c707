import { deviceKey } from '../policy/index.js';
import { LuaScript, type RedisClient } from './redis-scripts.js';
import type { RegisteredDevice } from './types.js';

/**
 * The management backend's registered devices, as the sync last pulled them: what a
 * device that has no association yet (or one that just reported its IMEI) is linked by,
 * and what applies while the backend is unreachable (docs/backend-sync.md). Indexed by
 * device ID (lower case) and by user plus IMEI (lower case); a record that names neither
 * is kept for its removal only.
 */
export interface RegisteredDevices {
  put(d: RegisteredDevice): Promise<void>;
  remove(backendDeviceId: string): Promise<void>;
  /** The backendDeviceId that names this device ID (any case), else this user with this IMEI. */
  find(deviceId: string, user: string, imei?: string): Promise<string | undefined>;
}

const imeiKey = (user: string, imei: string): string => `${user}\n${imei.toLowerCase()}`;

/** Index entries of a record: [device-ID index member, IMEI index member] ('' none). */
function members(d: RegisteredDevice): [string, string] {
  return [d.deviceId === undefined ? '' : deviceKey(d.deviceId), d.user === undefined || d.imei === undefined ? '' : imeiKey(d.user, d.imei)];
}

export class MemoryRegisteredDevices implements RegisteredDevices {
  private readonly records = new Map<string, RegisteredDevice>();
  private readonly byDevice = new Map<string, string>();
  private readonly byImei = new Map<string, string>();

  async put(d: RegisteredDevice): Promise<void> {
    await this.remove(d.backendDeviceId);
    this.records.set(d.backendDeviceId, { ...d });
    const [dev, imei] = members(d);
    if (dev !== '') this.byDevice.set(dev, d.backendDeviceId);
    if (imei !== '') this.byImei.set(imei, d.backendDeviceId);
  }

  async remove(backendDeviceId: string): Promise<void> {
    const old = this.records.get(backendDeviceId);
    if (old === undefined) return;
    this.records.delete(backendDeviceId);
    const [dev, imei] = members(old);
    if (this.byDevice.get(dev) === backendDeviceId) this.byDevice.delete(dev);
    if (this.byImei.get(imei) === backendDeviceId) this.byImei.delete(imei);
  }

  async find(deviceId: string, user: string, imei?: string): Promise<string | undefined> {
    return this.byDevice.get(deviceKey(deviceId)) ?? (imei === undefined ? undefined : this.byImei.get(imeiKey(user, imei)));
  }
}

/** KEYS: records, device-ID index, IMEI index. ARGV: id, record JSON ('' removes), device member, IMEI member. */
const PUT = new LuaScript(`
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local o = cjson.decode(old)
  if o.dev ~= '' and redis.call('HGET', KEYS[2], o.dev) == ARGV[1] then redis.call('HDEL', KEYS[2], o.dev) end
  if o.imei ~= '' and redis.call('HGET', KEYS[3], o.imei) == ARGV[1] then redis.call('HDEL', KEYS[3], o.imei) end
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if ARGV[2] == '' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[1]) end
return 1
`);

/** Three hashes under the store's hash tag (one Cluster slot); each write is one script. */
export class RedisRegisteredDevices implements RegisteredDevices {
  private readonly keys: [string, string, string];

  constructor(
    private readonly client: RedisClient,
    tag: string,
  ) {
    this.keys = [`${tag}:bd:rec`, `${tag}:bd:dev`, `${tag}:bd:imei`];
  }

  async put(d: RegisteredDevice): Promise<void> {
    const [dev, imei] = members(d);
    await PUT.run(this.client, this.keys, [d.backendDeviceId, JSON.stringify({ ...d, dev, imei }), dev, imei]);
  }

  async remove(backendDeviceId: string): Promise<void> {
    await PUT.run(this.client, this.keys, [backendDeviceId, '', '', '']);
  }

  async find(deviceId: string, user: string, imei?: string): Promise<string | undefined> {
    const byDevice = await this.client.hget(this.keys[1], deviceKey(deviceId));
    if (byDevice !== null || imei === undefined) return byDevice ?? undefined;
    return (await this.client.hget(this.keys[2], imeiKey(user, imei))) ?? undefined;
  }
}
