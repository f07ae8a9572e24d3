import { createHash } from 'node:crypto';

/** Hex characters kept: enough to tell policies apart on a dashboard, short enough to read. */
const SHORT_HASH_LENGTH = 12;

/**
 * The short sha256 shown as `slimguard_policy_info{hash}`: lets an operator see that every replica
 * runs the same policy, and which one, without putting the policy itself in a label.
 */
export function policyHash(source: string | Uint8Array): string {
  return createHash('sha256').update(source).digest('hex').slice(0, SHORT_HASH_LENGTH);
}
