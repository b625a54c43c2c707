/**
 * <Ping xmlns="Ping:"><Status>1</Status></Ping>: "the heartbeat expired with no changes"
 * ([MS-ASCMD] 2.2.3.177.10). A device that gets it simply sends its next Ping, which is
 * what the gateway wants when it ends a held Ping itself (shutdown).
 * Bytes: header 03 01 6A 00, SWITCH_PAGE 13, Ping+content 0x45, Status+content 0x47,
 * STR_I "1", END, END.
 */
export const PING_STATUS_1 = Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x00, 0x0d, 0x45, 0x47, 0x03, 0x31, 0x00, 0x01, 0x01]);
