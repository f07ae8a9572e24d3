import { describe, expect, it } from 'vitest';
import type { ImageFacts } from '../image-facts/image-facts.js';
import type { Judgement } from '../judge/judge-image.js';
import { evaluate } from '../policy/evaluate.js';
import { distrolessNonrootFacts, nginxFacts } from '../policy/facts-fixture.js';
import { testPolicy } from '../policy/policy-fixture.js';
import { countValidate, formatValidateText, summarizeSkipped, toValidateJson, validateExitCode, type SkippedObject, type ValidateReport, type ValidateResult } from './validate-report.js';

function judge(facts: ImageFacts, mode: 'enforce' | 'warn'): Judgement {
  return { facts, verdict: evaluate({ facts, policy: testPolicy({ mode }), now: new Date('2026-01-01T00:00:00Z') }) };
}

function result(name: string, check: ValidateResult['check'], line = 12): ValidateResult {
  return {
    file: 'deploy/app.yaml',
    line,
    workload: { group: 'apps', kind: 'Deployment', namespace: 'team-a', name },
    container: { name: 'app', type: 'container', fieldPath: 'spec.template.spec.containers[0]' },
    check,
  };
}

function skipped(kind: string): SkippedObject {
  return { file: 'deploy/app.yaml', line: 1, apiVersion: 'v1', kind, namespace: 'team-a', name: 'x', reason: 'unsupportedKind', message: `kind ${kind} is not judged` };
}

const denied = result('web', { image: 'nginx:1.27', judgement: judge(nginxFacts() as ImageFacts, 'enforce') });
const allowed = result('api', { image: 'gcr.io/distroless/static-debian12:nonroot', judgement: judge(distrolessNonrootFacts() as ImageFacts, 'enforce') }, 30);
const warned = result('batch', { image: 'nginx:1.27', judgement: judge(nginxFacts() as ImageFacts, 'warn') }, 44);
const failed = result('gone', { image: 'nginx:1.27', error: { code: 'NOT_FOUND', message: 'nginx:1.27: manifest unknown' } }, 50);

describe('validate report', () => {
  it('exits 0 when nothing is denied, 1 for a denial, 2 for any error', () => {
    const base: ValidateReport = { workloads: 1, results: [allowed, warned], skipped: [skipped('Service')], problems: [] };
    expect(validateExitCode(base)).toBe(0);
    expect(validateExitCode({ ...base, results: [allowed, denied] })).toBe(1);
    expect(validateExitCode({ ...base, results: [denied, failed] })).toBe(2);
    expect(validateExitCode({ ...base, problems: [{ code: 'YAML_SYNTAX', file: 'a.yaml', line: 3, column: 1, message: 'a.yaml:3:1: bad' }] })).toBe(2);
  });

  it('groups skipped kinds in the order first met', () => {
    expect(summarizeSkipped([skipped('ConfigMap'), skipped('Service'), skipped('ConfigMap')])).toBe('ConfigMap x2, Service');
    expect(summarizeSkipped([])).toBe('');
  });

  it('prints a verdict line per container, a line per violation, problems, then a summary', () => {
    const report: ValidateReport = {
      workloads: 4,
      results: [denied, allowed, warned, failed],
      skipped: [skipped('ConfigMap'), skipped('Service'), skipped('ConfigMap')],
      problems: [{ code: 'YAML_SYNTAX', file: 'bad.yaml', line: 3, column: 7, message: 'bad.yaml:3:7: Missing closing "quote' }],
    };
    const lines = formatValidateText(report).trimEnd().split('\n');
    expect(lines[0]).toBe('DENY Deployment team-a/web container "app" (nginx:1.27) at deploy/app.yaml:12');
    expect(lines[1]).toMatch(/^ {2}enforce: \[runAsRoot\] /);
    expect(lines).toContain('ALLOW Deployment team-a/api container "app" (gcr.io/distroless/static-debian12:nonroot) at deploy/app.yaml:30');
    expect(lines).toContain('WARN Deployment team-a/batch container "app" (nginx:1.27) at deploy/app.yaml:44');
    expect(lines).toContain('ERROR Deployment team-a/gone container "app" at deploy/app.yaml:50: nginx:1.27: manifest unknown');
    expect(lines).toContain('ERROR bad.yaml:3:7: Missing closing "quote');
    expect(lines.at(-1)).toBe('4 workloads, 4 containers: 1 allowed, 1 warned, 1 denied, 2 errors; 3 objects skipped (ConfigMap x2, Service)');
  });

  it('says so when nothing was skipped, in the singular where it applies', () => {
    const text = formatValidateText({ workloads: 1, results: [allowed], skipped: [], problems: [] });
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 workload, 1 container: 1 allowed, 0 warned, 0 denied, 0 errors; 0 objects skipped');
  });

  it("serialises check's per-image entry with the manifest location around it", () => {
    const report: ValidateReport = { workloads: 2, results: [denied, failed], skipped: [skipped('Service')], problems: [] };
    const json = toValidateJson(report) as { results: Record<string, any>[]; skipped: unknown[]; errors: unknown[]; summary: unknown };
    expect(json.results[0]).toMatchObject({
      file: 'deploy/app.yaml',
      line: 12,
      workload: { kind: 'Deployment', namespace: 'team-a', name: 'web' },
      container: { name: 'app', type: 'container', fieldPath: 'spec.template.spec.containers[0]' },
      image: 'nginx:1.27',
      reference: 'docker.io/library/nginx:1.27',
      digest: expect.stringMatching(/^sha256:/),
      platform: 'linux/amd64',
      decision: 'deny',
      facts: { user: '', compressedSizeBytes: expect.any(Number) },
    });
    expect(json.results[0]!['workload']).not.toHaveProperty('group');
    expect(json.results[0]!['violations'][0]).toMatchObject({ rule: 'runAsRoot', mode: 'enforce' });
    expect(json.results[1]).toMatchObject({ image: 'nginx:1.27', decision: 'error', error: { code: 'NOT_FOUND' } });
    expect(json.skipped).toEqual([skipped('Service')]);
    expect(json.errors).toEqual([]);
    expect(json.summary).toEqual(countValidate(report));
    expect(json.summary).toMatchObject({ workloads: 2, containers: 2, denied: 1, errors: 1, skipped: 1 });
  });
});
