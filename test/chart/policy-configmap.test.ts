// The policy ConfigMap holds a policy slimguard's own parser (src/config) accepts: the chart can
// never ship a policy the webhook would refuse at start.
import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy } from '../../src/config/index.js';
import { renderChart } from './helm.js';

async function renderedPolicy(values: Record<string, unknown> = {}) {
  const rendered = await renderChart(values);
  const configMap = rendered.get('ConfigMap', 'slimguard-policy');
  expect(Object.keys(configMap.data)).toEqual(['policy.yaml']);
  return parsePolicy(configMap.data['policy.yaml'], 'ConfigMap slimguard-policy');
}

describe('policy ConfigMap', () => {
  it('default values: the embedded default policy, in warn mode', async () => {
    const policy = await renderedPolicy();
    expect(policy.name).toBe('slimguard');
    expect(policy.mode).toBe('warn');
    // Same settings as the embedded default; only the name and the rules' explicit modes differ
    // (the chart's rules inherit `mode`, so one value switches all of them).
    expect({ ...policy, name: defaultPolicy.name }).toEqual({
      ...defaultPolicy,
      rules: {
        runAsRoot: { ...defaultPolicy.rules.runAsRoot, mode: undefined },
        sizeBudget: { ...defaultPolicy.rules.sizeBudget, mode: undefined },
        buildBase: { ...defaultPolicy.rules.buildBase, mode: undefined },
      },
    });
  });

  it('mode: enforce makes every rule enforce', async () => {
    const policy = await renderedPolicy({ mode: 'enforce' });
    expect(policy.mode).toBe('enforce');
    expect(Object.values(policy.rules).map((rule) => rule.mode)).toEqual([undefined, undefined, undefined]);
  });

  it('per-rule settings and exemptions reach the policy', async () => {
    const policy = await renderedPolicy({
      mode: 'audit',
      'policy.rules.runAsRoot': { mode: 'enforce' },
      'policy.rules.sizeBudget': { maxCompressedSize: '300Mi', warnAtPercent: 90, overrides: [{ namespaces: ['ml-*'], maxCompressedSize: '2Gi' }] },
      'policy.onRegistryError': 'deny',
      'policy.exemptions': [{ images: ['docker.io/library/legacy-*'], rules: ['runAsRoot'], expires: '2027-03-31', reason: 'JIRA-123' }],
    });
    expect(policy.mode).toBe('audit');
    expect(policy.rules.runAsRoot.mode).toBe('enforce');
    expect(policy.rules.sizeBudget).toMatchObject({ maxCompressedSizeBytes: 300 * 1024 ** 2, warnAtPercent: 90 });
    expect(policy.rules.sizeBudget.overrides).toMatchObject([{ namespaces: ['ml-*'], maxCompressedSizeBytes: 2 * 1024 ** 3 }]);
    expect(policy.onRegistryError).toBe('deny');
    expect(policy.exemptions).toHaveLength(1);
  });
});
