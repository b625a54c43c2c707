/**
 * Every credential the test suite sends. The log-redaction checks grep the logs of the
 * whole run for each of these (and for their Basic/Bearer encodings).
 */
export const TEST_PASSWORDS = ['S3cret-Pa55word!', 'alice123', 'bob123', 'tr0ub4dor&3'] as const;
export const TEST_BEARER_SECRET = 'sig-0f9e8d7c6b5a49382716';

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A JWT-shaped bearer token naming `user`; the gateway reads the claim, never trusts it. */
export function bearer(user: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `Bearer ${part({ alg: 'RS256', typ: 'JWT' })}.${part({ upn: user, aud: 'outlook' })}.${TEST_BEARER_SECRET}`;
}

/** The strings that must never appear in a log line. */
export function forbiddenInLogs(): string[] {
  const out: string[] = [TEST_BEARER_SECRET];
  for (const p of TEST_PASSWORDS) {
    out.push(p);
    for (const u of ['alice', 'bob', 'carol@example.test', 'CORP\\dave', 'alice@example.test', 'bob@example.test']) {
      out.push(basic(u, p).slice('Basic '.length));
    }
  }
  return out;
}
