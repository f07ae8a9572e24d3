import { describe, expect, it } from 'vitest';
import type { BuildBaseFinding, BuildBaseOptions, ResolvedCatalogEntry } from './build-base/types.js';
import { buildBaseRule, createBuildBaseRule } from './build-base-rule.js';
import { distrolessNonrootFacts, golangAppFacts } from './facts-fixture.js';
import { testPolicy } from './policy-fixture.js';
import type { ActiveMode } from './rule.js';
import type { PolicyFacts } from './types.js';

function stub(finding: BuildBaseFinding) {
  const calls: BuildBaseOptions[] = [];
  const rule = createBuildBaseRule({
    detect: (_facts, options) => {
      calls.push(options);
      return finding;
    },
  });
  return { rule, calls };
}

const input = (facts: PolicyFacts, mode: ActiveMode = 'enforce') => ({ facts, context: {}, policy: testPolicy(), mode, image: 'acme/api:1.0' });

describe('buildBase rule', () => {
  it.each<[string, BuildBaseFinding, string | undefined]>([
    ['nothing detected', { detected: false, evidence: [] }, undefined],
    [
      'base and remediation from the detector',
      { detected: true, ecosystem: 'go', base: 'golang:1.22', evidence: [{ signal: 'env', detail: 'GOLANG_VERSION=1.22.5' }], remediation: 'build in golang:1.22, copy the binary into gcr.io/distroless/static-debian12' },
      '[buildBase] acme/api:1.0 is built on golang:1.22; build in golang:1.22, copy the binary into gcr.io/distroless/static-debian12',
    ],
    [
      'ecosystem only, default fix',
      { detected: true, ecosystem: 'java', evidence: [] },
      '[buildBase] acme/api:1.0 is built on a java build image; use a multi-stage build and copy the output onto a slim base (distroless, alpine, -slim, -jre)',
    ],
    ['nothing named', { detected: true, evidence: [] }, '[buildBase] acme/api:1.0 is built on a build image; use a multi-stage build and copy the output onto a slim base (distroless, alpine, -slim, -jre)'],
  ])('%s', (_name, finding, message) => {
    const result = stub(finding).rule.check(input(golangAppFacts()));
    expect(result.violation?.message).toBe(message);
    expect(result.buildBase).toBe(finding);
    if (message) expect(result.violation).toMatchObject({ rule: 'buildBase', mode: 'enforce', evidence: finding.evidence });
  });

  it('passes signatures, allowed bases and the resolved catalog to the detector', () => {
    const { rule, calls } = stub({ detected: false, evidence: [] });
    const catalog: ResolvedCatalogEntry[] = [{ reference: 'registry.acme/sdk/java:21', ecosystem: 'java', diffIds: ['sha256:aa'], layerDigests: ['sha256:bb'] }];
    const signature = { name: 'acme/java-builder', ecosystem: 'java' as const, env: ['^ACME_JDK='] };
    rule.check({
      ...input(golangAppFacts()),
      policy: testPolicy({ buildBase: { extraSignatures: [signature], allowedBases: ['registry.acme/**'] } }),
      buildBaseCatalog: catalog,
    });
    expect(calls).toEqual([{ extraSignatures: [signature], allowedBases: ['registry.acme/**'], catalog }]);
  });

  it('notes a build base that allowedBases let through', () => {
    const result = stub({ detected: false, base: 'golang:1.22', allowedBy: 'golang:*', evidence: [] }).rule.check(input(golangAppFacts()));
    expect(result.violation).toBeUndefined();
    expect(result.notes).toEqual(['[buildBase] acme/api:1.0 is built on golang:1.22, allowed by allowedBases "golang:*"']);
  });

  it('uses the mode it is given', () => {
    const { rule } = stub({ detected: true, base: 'maven', evidence: [] });
    expect(rule.check(input(golangAppFacts(), 'audit')).violation?.mode).toBe('audit');
  });

  it('with the real detector: a Go service on golang is caught, distroless is not', () => {
    const golang = buildBaseRule.check(input(golangAppFacts()));
    expect(golang.violation?.message).toMatch(/^\[buildBase\] acme\/api:1\.0 is built on .*golang/);
    expect(golang.buildBase?.ecosystem).toBe('go');
    const distroless = buildBaseRule.check(input(distrolessNonrootFacts()));
    expect(distroless.violation).toBeUndefined();
    expect(distroless.buildBase?.detected).toBe(false);
  });
});
