import { describe, expect, it } from 'vitest';
import { buildFacts, distrolessNonrootFacts, golangAppFacts, nginxFacts } from './facts-fixture.js';
import { familiarReference } from './image-names.js';
import type { SizeBudgetOverride, SizeBudgetPolicy } from './policy.js';
import { testPolicy } from './policy-fixture.js';
import type { ActiveMode } from './rule.js';
import { resolveSizeBudget, sizeBudgetRule } from './size-budget.js';
import type { ContainerContext, PolicyFacts } from './types.js';

const MiB = 1024 * 1024;

function check(facts: PolicyFacts, sizeBudget: Partial<SizeBudgetPolicy> = {}, mode: ActiveMode = 'enforce', context: ContainerContext = {}) {
  return sizeBudgetRule.check({ facts, context, policy: testPolicy({ sizeBudget }), mode, image: familiarReference(facts.reference) });
}

const budget = (maxMiB: number, rest: Partial<SizeBudgetPolicy> = {}): Partial<SizeBudgetPolicy> => ({
  maxCompressedSizeBytes: maxMiB * MiB,
  units: 'binary',
  ...rest,
});

describe('sizeBudget', () => {
  // golangAppFacts is ~311 MiB, nginx ~67 MiB, distroless ~2 MiB.
  it.each<[string, PolicyFacts, Partial<SizeBudgetPolicy>, ActiveMode, ActiveMode | undefined]>([
    ['under budget, no band', nginxFacts(), budget(300, { warnAtPercent: undefined }), 'enforce', undefined],
    ['under the warn band', nginxFacts(), budget(300, { warnAtPercent: 80 }), 'enforce', undefined],
    ['over budget in enforce', golangAppFacts(), budget(300), 'enforce', 'enforce'],
    ['over budget in warn', golangAppFacts(), budget(300), 'warn', 'warn'],
    ['over budget in audit', golangAppFacts(), budget(300), 'audit', 'audit'],
    ['in the warn band warns even in enforce', golangAppFacts(), budget(350, { warnAtPercent: 80 }), 'enforce', 'warn'],
    ['in the warn band in audit stays audit', golangAppFacts(), budget(350, { warnAtPercent: 80 }), 'audit', 'audit'],
    ['exactly at budget is within it (band)', buildFacts({ steps: [{ createdBy: 'x', size: 100 * MiB }] }), budget(100, { warnAtPercent: 80 }), 'enforce', 'warn'],
    ['exactly at budget without band passes', buildFacts({ steps: [{ createdBy: 'x', size: 100 * MiB }] }), budget(100, { warnAtPercent: undefined }), 'enforce', undefined],
    ['one byte over', buildFacts({ steps: [{ createdBy: 'x', size: 100 * MiB + 1 }] }), budget(100), 'enforce', 'enforce'],
    ['tiny image', distrolessNonrootFacts(), budget(10), 'enforce', undefined],
  ])('%s', (_name, facts, settings, mode, expected) => {
    expect(check(facts, settings, mode).violation?.mode).toBe(expected);
  });

  it('says the size, the budget and the largest layers with their history lines', () => {
    const message = check(golangAppFacts(), budget(300)).violation?.message ?? '';
    expect(message).toMatch(/^\[sizeBudget\] ghcr\.io\/acme\/payments-api:2\.4\.1 is 311 MiB compressed, budget 300 MiB; largest layers: 88 MiB RUN set -eux; apt-get update; apt-get install/);
    expect(message).toContain(', 69 MiB COPY /target/ /');
    expect(message.length).toBeLessThanOrEqual(200);
  });

  it('says the percentage in the warn band', () => {
    const message = check(golangAppFacts(), budget(350, { warnAtPercent: 80 })).violation?.message ?? '';
    expect(message).toMatch(/^\[sizeBudget\] ghcr\.io\/acme\/payments-api:2\.4\.1 is 311 MiB compressed, 88% of its 350 MiB budget; largest layers: 88 MiB/);
  });

  it('puts every layer, largest first, in the evidence', () => {
    const facts = golangAppFacts();
    const evidence = check(facts, budget(300)).violation?.evidence ?? [];
    expect(evidence[0]).toEqual({ signal: 'size', detail: `311 MiB (${facts.compressedSizeBytes} bytes) compressed, 8 layers` });
    expect(evidence[1]).toEqual({ signal: 'budget', detail: `300 MiB (${300 * MiB} bytes) from default, warn at 80%` });
    const layers = evidence.filter((item) => item.signal === 'layer');
    expect(layers).toHaveLength(facts.layers.length);
    expect(layers[0]?.detail).toMatch(/^88 MiB sha256:[0-9a-f]{64} RUN set -eux; apt-get update; apt-get install -y --no-install-recommends g\+\+ gcc/);
    expect(layers.at(-1)?.detail).toMatch(/^126 B /);
  });

  it('names unattributed layers', () => {
    const facts = buildFacts({ steps: [{ createdBy: 'COPY app /app # buildkit', size: 5 * MiB }], unattributedLayerSizes: [200 * MiB] });
    expect(check(facts, budget(100)).violation?.message).toContain('largest layers: 200 MiB layer 2 (no history), 5 MiB COPY app /app');
  });

  it('truncates long history lines to stay within 200 characters', () => {
    const facts = buildFacts({
      reference: 'registry.internal.example.com/platform/data-pipelines/feature-store-materializer:2024.07.15-abcdef1',
      steps: [{ createdBy: `RUN /bin/sh -c ${'pip install --no-cache-dir package '.repeat(10)} # buildkit`, size: 900 * MiB }],
    });
    const message = check(facts, budget(500)).violation?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message).toMatch(/…$/);
  });

  it('uses the units the budget was written in', () => {
    const message = check(golangAppFacts(), { maxCompressedSizeBytes: 300_000_000, units: 'decimal' }).violation?.message ?? '';
    expect(message).toMatch(/is 326 MB compressed, budget 300 MB; largest layers: 92.3 MB/);
  });

  it('shows exact bytes when rounding would make size and budget look equal', () => {
    const facts = buildFacts({ steps: [{ createdBy: 'x', size: 300 * MiB + 10 }] });
    expect(check(facts, budget(300)).violation?.message).toContain(`is ${300 * MiB + 10} B compressed, budget ${300 * MiB} B`);
  });
});

describe('resolveSizeBudget', () => {
  const overrides: SizeBudgetOverride[] = [
    { namespaces: ['ml-*'], selector: { matchLabels: { tier: 'gpu' } }, maxCompressedSizeBytes: 8 * 1024 * MiB, units: 'binary' },
    { namespaces: ['ml-*', 'research'], maxCompressedSizeBytes: 4 * 1024 * MiB, units: 'binary', warnAtPercent: 90 },
    {
      selector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['batch', 'etl'] }] },
      maxCompressedSizeBytes: 2 * 1024 * MiB,
      units: 'binary',
    },
    { selector: { matchExpressions: [{ key: 'slim', operator: 'DoesNotExist' }] }, maxCompressedSizeBytes: 1000 * MiB, units: 'decimal' },
  ];
  const policy: SizeBudgetPolicy = { maxCompressedSizeBytes: 500 * MiB, units: 'binary', warnAtPercent: 80, overrides };

  it.each<[string, ContainerContext, number, string, number | undefined]>([
    ['no context (CLI) takes the default', {}, 500 * MiB, 'default', 80],
    ['namespace and selector both match', { namespace: 'ml-train', workloadLabels: { tier: 'gpu', slim: 'y' } }, 8 * 1024 * MiB, 'override 1 (namespaces ml-*; selector tier=gpu)', 80],
    ['namespace glob, selector does not match: next override', { namespace: 'ml-train', workloadLabels: { tier: 'cpu', slim: 'y' } }, 4 * 1024 * MiB, 'override 2 (namespaces ml-*, research)', 90],
    ['second namespace of the list', { namespace: 'research', workloadLabels: { slim: 'y' } }, 4 * 1024 * MiB, 'override 2 (namespaces ml-*, research)', 90],
    ['selector with In', { namespace: 'shop', workloadLabels: { 'app.kubernetes.io/component': 'etl', slim: 'y' } }, 2 * 1024 * MiB, 'override 3 (selector app.kubernetes.io/component In (batch, etl))', 80],
    ['selector with DoesNotExist', { namespace: 'shop', workloadLabels: {} }, 1000 * MiB, 'override 4 (selector slim DoesNotExist)', 80],
    ['namespace only (no workload labels): selectors never match', { namespace: 'shop' }, 500 * MiB, 'default', 80],
    ['nothing matches', { namespace: 'shop', workloadLabels: { slim: 'y' } }, 500 * MiB, 'default', 80],
  ])('%s', (_name, context, bytes, source, warnAtPercent) => {
    const resolved = resolveSizeBudget(policy, context);
    expect(resolved.maxCompressedSizeBytes).toBe(bytes);
    expect(resolved.source).toBe(source);
    expect(resolved.warnAtPercent).toBe(warnAtPercent);
  });

  it('an override budget decides the verdict', () => {
    const facts = golangAppFacts();
    const context = { namespace: 'research' };
    const result = sizeBudgetRule.check({
      facts,
      context,
      policy: testPolicy({ sizeBudget: { ...policy, maxCompressedSizeBytes: 100 * MiB } }),
      mode: 'enforce',
      image: 'x',
    });
    expect(result.violation).toBeUndefined();
    const outside = sizeBudgetRule.check({ facts, context: { namespace: 'shop' }, policy: testPolicy({ sizeBudget: { ...policy, maxCompressedSizeBytes: 100 * MiB } }), mode: 'enforce', image: 'x' });
    expect(outside.violation?.mode).toBe('enforce');
  });
});
