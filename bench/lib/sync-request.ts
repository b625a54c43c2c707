/**
 * The device request of the throughput benchmarks: an allowed Sync POST of alice's iPhone
 * (1 KiB WBXML-typed body) that the fast upstream answers with 2 KiB.
 */
export const SYNC_BODY = Buffer.alloc(1024, 0x42);

export const SYNC_HEADERS: Record<string, string> = {
  'content-type': 'application/vnd.ms-sync.wbxml',
  'ms-asprotocolversion': '16.1',
  'x-ms-policykey': '1234567890',
  'user-agent': 'Apple-iPhone15C2/2101.1',
  authorization: `Basic ${Buffer.from('alice@example.test:bench').toString('base64')}`,
};

export const syncQuery = (deviceId: string): string => `/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice%40example.test&DeviceId=${deviceId}&DeviceType=iPhone`;
