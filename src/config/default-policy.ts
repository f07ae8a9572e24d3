import type { Policy } from '../policy/policy.js';
import { parsePolicy } from './parse-policy.js';

/**
 * The policy used when no file is given. Everything warns: installing slimguard must never break
 * a cluster on day one, and the warnings show what enforce would deny.
 *
 * Budget 500Mi compressed, warned from 80% (400Mi): a slim runtime image (distroless, alpine,
 * -slim, -jre) plus an application is typically 20-250Mi compressed, while images built on full
 * SDK bases start around 300-400Mi (golang ~280Mi, maven/JDK ~300-450Mi, node/python full Debian
 * ~350-400Mi) before any application layer. 500Mi flags those without flagging reasonable ones;
 * the warn band catches growth before the limit.
 */
export const DEFAULT_POLICY_YAML = `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata:
  name: default
spec:
  mode: warn
  onRegistryError: allow
  platforms: [linux/amd64]
  exemptionWarningDays: 14
  rules:
    runAsRoot: {mode: warn}
    sizeBudget: {mode: warn, maxCompressedSize: 500Mi, warnAtPercent: 80}
    buildBase: {mode: warn}
  exemptions: []
`;

export const DEFAULT_POLICY_SOURCE = '<embedded default policy>';

/** Parsed through the same path as any file, so the embedded policy is always valid. */
export const defaultPolicy: Policy = parsePolicy(DEFAULT_POLICY_YAML, DEFAULT_POLICY_SOURCE);
