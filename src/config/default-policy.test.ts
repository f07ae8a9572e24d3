import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_YAML, defaultPolicy } from './default-policy.js';
import { parsePolicy } from './parse-policy.js';

describe('defaultPolicy', () => {
  it('warns on every rule, so installing slimguard never blocks a deploy', () => {
    expect(defaultPolicy.mode).toBe('warn');
    expect(defaultPolicy.rules.runAsRoot.mode).toBe('warn');
    expect(defaultPolicy.rules.sizeBudget.mode).toBe('warn');
    expect(defaultPolicy.rules.buildBase.mode).toBe('warn');
  });

  it('has a 500Mi budget warned from 80%, lets images through on registry errors, judges linux/amd64', () => {
    expect(defaultPolicy.rules.sizeBudget).toMatchObject({ maxCompressedSizeBytes: 500 * 1024 * 1024, units: 'binary', warnAtPercent: 80, overrides: [] });
    expect(defaultPolicy.onRegistryError).toBe('allow');
    expect(defaultPolicy.platforms).toEqual([{ os: 'linux', architecture: 'amd64' }]);
    expect(defaultPolicy.exemptions).toEqual([]);
    expect(defaultPolicy.exemptionWarningDays).toBe(14);
  });

  it('is the embedded YAML, and a file with only the header means the same', () => {
    expect(parsePolicy(DEFAULT_POLICY_YAML, 'x')).toEqual(defaultPolicy);
    const headerOnly = parsePolicy('apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: default}\n', 'x');
    const { runAsRoot, sizeBudget, buildBase } = defaultPolicy.rules;
    // Only the explicit rule modes differ: the header-only file leaves them to spec.mode (warn).
    expect(headerOnly).toEqual({
      ...defaultPolicy,
      rules: { runAsRoot: { ...runAsRoot, mode: undefined }, sizeBudget: { ...sizeBudget, mode: undefined }, buildBase: { ...buildBase, mode: undefined } },
    });
  });
});
