import { pingAnswer } from '../eas/answers.js';

/**
 * <Ping><Status>1</Status></Ping>: "the heartbeat expired with no changes"
 * ([MS-ASCMD] 2.2.3.177.10). A device that gets it simply sends its next Ping, which is
 * what the gateway wants when it ends a held Ping itself (shutdown). Built once.
 */
export const PING_STATUS_1: Buffer = pingAnswer(1);
