export { DEFAULT_POLICY_SOURCE, DEFAULT_POLICY_YAML, defaultPolicy } from './default-policy.js';
export { didYouMean, editDistance } from './did-you-mean.js';
export { formatPolicyError, formatPolicyIssue, PolicyError, type PolicyErrorCode, type PolicyIssue } from './errors.js';
export { loadPolicy, loadPolicyFile, MAX_POLICY_FILE_BYTES } from './load-policy.js';
export { formatPath, parsePolicy } from './parse-policy.js';
export { API_VERSION, DEFAULTS, KIND, policySchema } from './policy-schema.js';
