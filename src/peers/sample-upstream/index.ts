export { startSampleUpstream, EAS_PATH, type SampleUpstream } from './server.js';
export type { SampleUpstreamOptions, SampleUser } from './options.js';
export { DEFAULT_USERS } from './options.js';
export type { SampleControl, RequestRecord, RequestFilter, SendMailRecord, DeviceSnapshot } from './control.js';
export type { MailInput, SampleMail, SampleFolder } from './mailbox.js';
export { FOLDERS, INBOX_ID } from './mailbox.js';
export { BEHAVIOUR_HEADER, parseBehaviour, type Behaviour, type BehaveOptions } from './behaviour.js';
export { RECEIVED_BYTES_HEADER } from './handlers/send-mail.js';
export { runSampleUpstreamCommand } from './cli.js';
