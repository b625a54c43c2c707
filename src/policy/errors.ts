/**
 * Error codes of the policy area. A bad policy file stops the start: the message names the
 * file and the path of the bad field, e.g. `rules[2].accessLevel: expected Allow|Block|Quarantine`.
 */
export const POLICY_ERRORS = {
  EASGATE_ERR_POLICY_FILE_UNREADABLE: 'The policy file cannot be read or is not JSON',
  EASGATE_ERR_POLICY_FILE_INVALID: 'A field of the policy file is missing, unknown or out of range',
} as const;

export type PolicyErrorCode = keyof typeof POLICY_ERRORS;

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  /** The path of the bad field (`rules[2].accessLevel`), when one is to blame. */
  readonly path: string | undefined;
  constructor(code: PolicyErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PolicyError';
    this.code = code;
    this.path = options?.path;
  }
}
