export { Notifier, type NotifierOptions } from './notifier.js';
export { SmtpMailer, describeSmtpUrl, type Mailer, type SmtpMailerOptions } from './mailer.js';
export {
  backoffDelay,
  type FailOutcome,
  type MailClaim,
  type MailJob,
  type MailJobState,
  type MailQueue,
  type MailQueueOptions,
  type MailToQueue,
  type OutgoingMail,
} from './mail-queue.js';
export { MemoryMailQueue } from './memory-mail-queue.js';
export { RedisMailQueue, type RedisMailQueueOptions } from './redis-mail-queue.js';
export { associationLink, looksLikeMailAddress, newDeviceMail, quarantineAdminMails, quarantineUserMail, wipeAcknowledgedMails } from './messages.js';
