import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths redacted in every log line, whatever logs them: credentials must never reach a
 * log (Authorization, cookies, passwords, tokens), not even at debug level.
 */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'token',
  'cookie',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.token',
  '*.cookie',
  '*["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["proxy-authorization"]',
] as const;

export function createLogger(level: string, destination?: DestinationStream, instance?: string): Logger {
  return pino(
    {
      level,
      base: instance === undefined ? { service: 'easgate' } : { service: 'easgate', instance },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
