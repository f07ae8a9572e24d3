import { describe, expect, it } from 'vitest';
import { createBuildBaseRule } from './build-base-rule.js';
import { decide, evaluate, NAMESPACE_MODE_LABEL, RULES } from './evaluate.js';
import { distrolessNonrootFacts, golangAppFacts, nginxFacts, nodeAppFacts, windowsNanoserverFacts } from './facts-fixture.js';
import type { Exemption } from './policy.js';
import { testPolicy, type PolicyOverrides } from './policy-fixture.js';
import { runAsRootRule } from './run-as-root.js';
import { sizeBudgetRule } from './size-budget.js';
import type { ContainerContext, Decision, Mode, PolicyFacts, RuleId } from './types.js';

const MiB = 1024 * 1024;
const NOW = new Date('2025-06-20T12:00:00Z');
// golangAppFacts: runs as root, 311 MiB, built on golang -> all three rules fire with a 300 MiB budget.
const strictBudget = { maxCompressedSizeBytes: 300 * MiB, units: 'binary' as const, warnAtPercent: 80 };

function run(facts: PolicyFacts, overrides: PolicyOverrides = {}, context: ContainerContext = {}) {
  return evaluate({ facts, context, policy: testPolicy({ sizeBudget: strictBudget, ...overrides }), now: NOW });
}

const summary = (facts: PolicyFacts, overrides: PolicyOverrides = {}, context: ContainerContext = {}) => {
  const verdict = run(facts, overrides, context);
  return { decision: verdict.decision, violations: verdict.violations.map((violation) => `${violation.rule}:${violation.mode}`) };
};

describe('evaluate: modes and decision', () => {
  it.each<[string, PolicyFacts, PolicyOverrides, ContainerContext, Decision, string[]]>([
    ['clean image is allowed', distrolessNonrootFacts(), { mode: 'enforce' }, {}, 'allow', []],
    ['spec.mode enforce denies, in fixed rule order', golangAppFacts(), { mode: 'enforce' }, {}, 'deny', ['runAsRoot:enforce', 'sizeBudget:enforce', 'buildBase:enforce']],
    ['spec.mode warn warns', golangAppFacts(), { mode: 'warn' }, {}, 'warn', ['runAsRoot:warn', 'sizeBudget:warn', 'buildBase:warn']],
    ['spec.mode audit lists violations but allows', golangAppFacts(), { mode: 'audit' }, {}, 'allow', ['runAsRoot:audit', 'sizeBudget:audit', 'buildBase:audit']],
    ['spec.mode off skips everything', golangAppFacts(), { mode: 'off' }, {}, 'allow', []],
    [
      'rule modes override spec.mode',
      golangAppFacts(),
      { mode: 'audit', runAsRoot: { mode: 'enforce' }, buildBase: { mode: 'off' } },
      {},
      'deny',
      ['runAsRoot:enforce', 'sizeBudget:audit'],
    ],
    ['one warn among audits warns', golangAppFacts(), { mode: 'audit', sizeBudget: { ...strictBudget, mode: 'warn' } }, {}, 'warn', ['runAsRoot:audit', 'sizeBudget:warn', 'buildBase:audit']],
    [
      'the warn band warns even in enforce mode',
      nginxFacts(),
      { mode: 'enforce', runAsRoot: { mode: 'off' }, sizeBudget: { maxCompressedSizeBytes: 70 * MiB, units: 'binary', warnAtPercent: 80 } },
      {},
      'warn',
      ['sizeBudget:warn'],
    ],
    ['namespace label overrides every rule', golangAppFacts(), { mode: 'enforce' }, { namespace: 'dev', namespaceLabels: { [NAMESPACE_MODE_LABEL]: 'audit' } }, 'allow', ['runAsRoot:audit', 'sizeBudget:audit', 'buildBase:audit']],
    ['namespace label can enforce', golangAppFacts(), { mode: 'warn' }, { namespace: 'prod', namespaceLabels: { [NAMESPACE_MODE_LABEL]: 'enforce' } }, 'deny', ['runAsRoot:enforce', 'sizeBudget:enforce', 'buildBase:enforce']],
    ['namespace label off switches slimguard off there', golangAppFacts(), { mode: 'enforce' }, { namespace: 'sandbox', namespaceLabels: { [NAMESPACE_MODE_LABEL]: 'off' } }, 'allow', []],
    ['an invalid namespace label is ignored', golangAppFacts(), { mode: 'enforce' }, { namespace: 'x', namespaceLabels: { [NAMESPACE_MODE_LABEL]: 'Audit' } }, 'deny', ['runAsRoot:enforce', 'sizeBudget:enforce', 'buildBase:enforce']],
    ['other namespace labels do nothing', golangAppFacts(), { mode: 'enforce' }, { namespace: 'x', namespaceLabels: { 'slimguard.io/other': 'off' } }, 'deny', ['runAsRoot:enforce', 'sizeBudget:enforce', 'buildBase:enforce']],
    ['runAsNonRoot refusal of a named user is reported', nodeAppFacts(), { mode: 'enforce' }, { podSecurityContext: { runAsNonRoot: true } }, 'deny', ['runAsRoot:enforce']],
    ['a named user without runAsNonRoot passes', nodeAppFacts(), { mode: 'enforce' }, {}, 'allow', []],
  ])('%s', (_name, facts, overrides, context, decision, violations) => {
    expect(summary(facts, overrides, context)).toEqual({ decision, violations });
  });

  it('notes an invalid namespace label', () => {
    const verdict = run(nginxFacts(), {}, { namespace: 'shop', namespaceLabels: { [NAMESPACE_MODE_LABEL]: 'block' } });
    expect(verdict.notes).toContain('namespace shop label slimguard.io/mode="block" ignored: expected one of enforce, warn, audit, off');
  });

  it('decide: enforce beats warn beats audit', () => {
    const cases: [Mode[], Decision][] = [
      [[], 'allow'],
      [['audit'], 'allow'],
      [['audit', 'warn'], 'warn'],
      [['warn', 'enforce', 'audit'], 'deny'],
    ];
    for (const [modes, decision] of cases) {
      expect(decide(modes.map((mode) => ({ mode: mode as Exclude<Mode, 'off'> })))).toBe(decision);
    }
  });
});

describe('evaluate: the verdict', () => {
  it('names the image, digest and platform judged, and carries the build-base finding', () => {
    const facts = golangAppFacts();
    const verdict = run(facts, { mode: 'enforce' });
    expect(verdict.image).toBe('ghcr.io/acme/payments-api:2.4.1');
    expect(verdict.digest).toBe(facts.digest);
    expect(verdict.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(verdict.buildBase).toMatchObject({ detected: true, ecosystem: 'go' });
    expect(verdict.notes).toEqual([]);
  });

  it('starts every message with [rule] and the familiar image name', () => {
    const verdict = run({ ...golangAppFacts(), reference: 'docker.io/library/payments:2.4.1' }, { mode: 'enforce' });
    for (const violation of verdict.violations) {
      expect(violation.message.startsWith(`[${violation.rule}] payments:2.4.1 `)).toBe(true);
    }
  });

  it('leaves out the build-base finding when buildBase is off', () => {
    expect(run(golangAppFacts(), { buildBase: { mode: 'off' } }).buildBase).toBeUndefined();
  });

  it('skips runAsRoot for Windows images and says so', () => {
    const verdict = run(windowsNanoserverFacts(), { mode: 'enforce' }, { podSecurityContext: { runAsNonRoot: true } });
    expect(verdict.violations.map((violation) => violation.rule)).not.toContain('runAsRoot');
    expect(verdict.notes).toContain('[runAsRoot] skipped for mcr.microsoft.com/windows/nanoserver:ltsc2022: Windows images are out of scope');
  });

  it('runs the rules it is given, in that order', () => {
    const detect = () => ({ detected: true, base: 'maven', evidence: [] });
    const verdict = evaluate({
      facts: golangAppFacts(),
      policy: testPolicy({ mode: 'enforce', sizeBudget: strictBudget }),
      now: NOW,
      rules: [createBuildBaseRule({ detect }), runAsRootRule],
    });
    expect(verdict.violations.map((violation) => violation.rule)).toEqual(['buildBase', 'runAsRoot']);
    expect(RULES.map((rule) => rule.id)).toEqual(['runAsRoot', 'sizeBudget', 'buildBase']);
    expect(RULES[1]).toBe(sizeBudgetRule);
  });

  it('works with no context at all (the CLI)', () => {
    const verdict = evaluate({ facts: nginxFacts(), policy: testPolicy({ mode: 'enforce' }), now: NOW });
    expect(verdict.decision).toBe('deny');
    expect(verdict.violations.map((violation) => violation.rule)).toEqual(['runAsRoot']);
  });
});

describe('evaluate: exemptions', () => {
  const exemption = (fields: Partial<Exemption>): Exemption => ({ reason: 'LEG-42 legacy payments service', ...fields });

  it.each<[string, Exemption[], ContainerContext, RuleId[]]>([
    ['an image exemption covers all rules', [exemption({ images: ['ghcr.io/acme/payments-*'] })], {}, []],
    ['an exemption for one rule leaves the others', [exemption({ images: ['ghcr.io/acme/**'], rules: ['sizeBudget'] })], {}, ['runAsRoot', 'buildBase']],
    ['a namespace exemption applies in that namespace', [exemption({ namespaces: ['legacy-*'] })], { namespace: 'legacy-pay' }, []],
    ['a namespace exemption does not apply elsewhere', [exemption({ namespaces: ['legacy-*'] })], { namespace: 'pay' }, ['runAsRoot', 'sizeBudget', 'buildBase']],
    ['a namespace exemption does not apply without a namespace (CLI)', [exemption({ namespaces: ['*'] })], {}, ['runAsRoot', 'sizeBudget', 'buildBase']],
    ['another image is not exempted', [exemption({ images: ['nginx'] })], {}, ['runAsRoot', 'sizeBudget', 'buildBase']],
    [
      'an expired exemption no longer applies',
      [exemption({ images: ['ghcr.io/acme/payments-api'], expires: '2025-06-19', expiresAt: new Date('2025-06-20T00:00:00Z') })],
      {},
      ['runAsRoot', 'sizeBudget', 'buildBase'],
    ],
    [
      'an exemption expiring later still applies',
      [exemption({ images: ['ghcr.io/acme/payments-api'], expires: '2025-06-20', expiresAt: new Date('2025-06-21T00:00:00Z') })],
      {},
      [],
    ],
  ])('%s', (_name, exemptions, context, remaining) => {
    const verdict = run(golangAppFacts(), { mode: 'enforce', exemptions }, context);
    expect(verdict.violations.map((violation) => violation.rule)).toEqual(remaining);
    expect(verdict.decision).toBe(remaining.length === 0 ? 'allow' : 'deny');
  });

  it('notes each exempted rule with the reason', () => {
    const verdict = run(golangAppFacts(), { mode: 'enforce', exemptions: [exemption({ images: ['ghcr.io/acme/payments-api'], rules: ['runAsRoot', 'buildBase'] })] });
    expect(verdict.notes).toEqual([
      '[runAsRoot] ghcr.io/acme/payments-api:2.4.1 exempted: LEG-42 legacy payments service',
      '[buildBase] ghcr.io/acme/payments-api:2.4.1 exempted: LEG-42 legacy payments service',
    ]);
  });

  it('warns when an exemption in use is about to expire', () => {
    const soon = exemption({ images: ['ghcr.io/acme/payments-api'], rules: ['runAsRoot'], expires: '2025-06-24', expiresAt: new Date('2025-06-25T00:00:00Z') });
    const verdict = run(golangAppFacts(), { mode: 'enforce', exemptions: [soon] });
    expect(verdict.notes).toContain(
      '[runAsRoot] ghcr.io/acme/payments-api:2.4.1 exempted: LEG-42 legacy payments service (exemption expires in 5 days, 2025-06-24; fix it before then)',
    );
    const quiet = run(golangAppFacts(), { mode: 'enforce', exemptionWarningDays: 3, exemptions: [soon] });
    expect(quiet.notes).toEqual(['[runAsRoot] ghcr.io/acme/payments-api:2.4.1 exempted: LEG-42 legacy payments service']);
  });

  it('says when an expired exemption stopped covering a violation', () => {
    const past = exemption({ images: ['ghcr.io/acme/payments-api'], rules: ['runAsRoot'], expires: '2025-06-01', expiresAt: new Date('2025-06-02T00:00:00Z') });
    const verdict = run(golangAppFacts(), { mode: 'enforce', exemptions: [past] });
    expect(verdict.notes).toEqual(['[runAsRoot] exemption for ghcr.io/acme/payments-api:2.4.1 ("LEG-42 legacy payments service") expired 2025-06-01; the rule applies again']);
    expect(verdict.violations[0]?.rule).toBe('runAsRoot');
  });

  it('adds no note when an exempted rule found nothing', () => {
    const verdict = run(distrolessNonrootFacts(), { mode: 'enforce', exemptions: [exemption({ images: ['gcr.io/distroless/**'] })] });
    expect(verdict.notes).toEqual([]);
    expect(verdict.decision).toBe('allow');
  });
});
