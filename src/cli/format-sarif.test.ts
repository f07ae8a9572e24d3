import { describe, expect, it } from 'vitest';
import type { ImageFacts } from '../image-facts/image-facts.js';
import { evaluate } from '../policy/evaluate.js';
import { golangAppFacts, nginxFacts } from '../policy/facts-fixture.js';
import { testPolicy } from '../policy/policy-fixture.js';
import { RULE_IDS } from '../policy/types.js';
import type { CheckResult } from './check-report.js';
import { fileUri, SARIF_RULES, sarifLevel, toSarifForCheck, toSarifForValidate } from './format-sarif.js';
import { STDIN_NAME } from './read-manifests.js';
import type { ValidateReport, ValidateResult } from './validate-report.js';

const now = new Date('2026-01-01T00:00:00Z');
const MiB = 1024 * 1024;

/** golang app: runAsRoot enforce, sizeBudget warn, buildBase audit: one violation of each level. */
function golangCheck(): CheckResult {
  const facts = golangAppFacts() as ImageFacts;
  const policy = testPolicy({
    runAsRoot: { mode: 'enforce' },
    sizeBudget: { mode: 'warn', maxCompressedSizeBytes: 100 * MiB },
    buildBase: { mode: 'audit' },
  });
  return { image: 'registry.example/app:1', judgement: { facts, verdict: evaluate({ facts, policy, now }) } };
}

function validateResult(file: string, check: CheckResult, name = 'web'): ValidateResult {
  return {
    file,
    line: 21,
    workload: { group: 'apps', kind: 'Deployment', namespace: 'team-a', name },
    container: { name: 'app', type: 'container', fieldPath: 'spec.template.spec.containers[0]' },
    check,
  };
}

describe('SARIF', () => {
  it('maps modes to levels', () => {
    expect([sarifLevel('enforce'), sarifLevel('warn'), sarifLevel('audit')]).toEqual(['error', 'warning', 'note']);
  });

  it('describes the three contract rules in RULE_IDS order, so ruleIndex indexes them', () => {
    expect(SARIF_RULES.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    for (const rule of SARIF_RULES) {
      expect(rule.shortDescription.text).not.toBe('');
      expect(rule.help.text).not.toBe('');
    }
  });

  it('check: one result per violation, the image as a logical location', () => {
    const log = toSarifForCheck([golangCheck()]);
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('slimguard');
    expect(run.results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['runAsRoot', 0, 'error'],
      ['sizeBudget', 1, 'warning'],
      ['buildBase', 2, 'note'],
    ]);
    for (const result of run.results) {
      expect(result.message.text.startsWith(`[${result.ruleId}] `)).toBe(true);
      expect(result.locations).toEqual([{ logicalLocations: [{ name: 'registry.example/app:1', kind: 'resource' }] }]);
    }
    expect(run.invocations[0]).toEqual({ executionSuccessful: true, toolExecutionNotifications: [] });
  });

  it('check: an image that could not be judged is a notification and the run did not succeed', () => {
    const log = toSarifForCheck([{ image: 'nope:1', error: { code: 'NOT_FOUND', message: 'nope:1: manifest unknown' } }]);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'nope:1: manifest unknown' }, descriptor: { id: 'NOT_FOUND' }, locations: [{ logicalLocations: [{ name: 'nope:1', kind: 'resource' }] }] },
    ]);
  });

  it('validate: results point at the manifest line, relative to the working directory', () => {
    const report: ValidateReport = {
      workloads: 1,
      results: [validateResult('/repo/deploy/my app.yaml', golangCheck())],
      skipped: [],
      problems: [{ code: 'YAML_SYNTAX', file: '/repo/bad.yaml', line: 3, column: 2, message: '/repo/bad.yaml:3:2: bad' }],
    };
    const run = toSarifForValidate(report, { cwd: '/repo' }).runs[0];
    expect(run.results).toHaveLength(3);
    expect(run.results[0]!.locations[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: 'deploy/my%20app.yaml' }, region: { startLine: 21 } },
      logicalLocations: [{ name: 'app', fullyQualifiedName: 'Deployment team-a/web spec.template.spec.containers[0]', kind: 'resource' }],
    });
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0]).toMatchObject({
      descriptor: { id: 'YAML_SYNTAX' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'bad.yaml' }, region: { startLine: 3 } } }],
    });
  });

  it('validate: stdin has no file, so only the logical location is given', () => {
    const report: ValidateReport = { workloads: 1, results: [validateResult(STDIN_NAME, golangCheck())], skipped: [], problems: [] };
    const [result] = toSarifForValidate(report, { cwd: '/repo' }).runs[0].results;
    expect(result!.locations[0]).not.toHaveProperty('physicalLocation');
    expect(result!.locations[0]!.logicalLocations?.[0]?.fullyQualifiedName).toBe('Deployment team-a/web spec.template.spec.containers[0]');
  });

  it('fingerprints a finding by what it is, not by its line, and tells workloads apart', () => {
    const first = toSarifForValidate({ workloads: 2, results: [validateResult('a.yaml', golangCheck()), validateResult('a.yaml', golangCheck(), 'other')], skipped: [], problems: [] }, { cwd: '/' });
    const moved = toSarifForValidate({ workloads: 1, results: [{ ...validateResult('a.yaml', golangCheck()), line: 99 }], skipped: [], problems: [] }, { cwd: '/' });
    const [a, , , b] = first.runs[0].results;
    expect(a!.partialFingerprints).toEqual(moved.runs[0].results[0]!.partialFingerprints);
    expect(a!.partialFingerprints).not.toEqual(b!.partialFingerprints);
  });

  it('makes file URIs relative inside the working directory and absolute outside it', () => {
    expect(fileUri('manifests/app.yaml', '/repo')).toBe('manifests/app.yaml');
    expect(fileUri('/repo/manifests/a#b.yaml', '/repo')).toBe('manifests/a%23b.yaml');
    expect(fileUri('/elsewhere/app.yaml', '/repo')).toBe('file:///elsewhere/app.yaml');
    expect(fileUri('../other/app.yaml', '/repo/sub')).toBe('file:///repo/other/app.yaml');
    expect(fileUri('/repo/..hidden.yaml', '/repo')).toBe('..hidden.yaml');
  });

  it('has no results and a successful run for an image without violations', () => {
    const facts = nginxFacts() as ImageFacts;
    const clean = { image: 'nginx:1.27', judgement: { facts, verdict: evaluate({ facts, policy: testPolicy({ mode: 'off' }), now }) } };
    const log = toSarifForCheck([clean]);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
  });
});
