import { describe, expect, it } from 'vitest';
import { buildFacts, nginxFacts } from '../policy/facts-fixture.js';
import { evaluate } from '../policy/evaluate.js';
import { testPolicy } from '../policy/policy-fixture.js';
import type { Verdict, Violation } from '../policy/types.js';
import { decodeAdmissionReview } from './admission-review.js';
import type { ContainerIdentity } from './container-labels.js';
import { listContainers, type WorkloadRef } from './list-containers.js';
import { allowResponse, buildAdmissionResponse, denyResponse, errorResponse, workloadDecision, type ContainerResult } from './response-builder.js';
import deploymentReview from './testdata/review-deployment-create.json' with { type: 'json' };
import podReview from './testdata/review-pod-create.json' with { type: 'json' };
import { utf8ByteLength } from './warnings.js';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const WEB: WorkloadRef = { group: 'apps', kind: 'Deployment', namespace: 'team-a', name: 'web' };
const DIGEST = `sha256:${'b'.repeat(64)}`;

function container(name: string, image: string, type: ContainerIdentity['type'] = 'container'): ContainerIdentity {
  return { type, name, image };
}

function violation(rule: Violation['rule'], mode: Violation['mode'], message: string): Violation {
  return { rule, mode, message: `[${rule}] ${message}`, evidence: [] };
}

function verdict(image: string, violations: Violation[], notes: string[] = []): Verdict {
  return { image, digest: DIGEST, platform: { os: 'linux', architecture: 'amd64' }, decision: 'allow', violations, notes };
}

const ROOT = violation('runAsRoot', 'enforce', 'nginx:1.27 runs as root (no USER set); use USER 65532 or runAsUser: 65532');
const BIG = violation('sizeBudget', 'warn', 'nginx:1.27 is 412 MB compressed, budget 300 MB');
const BASE = violation('buildBase', 'audit', 'nginx:1.27 is built on a full Debian base');

describe('buildAdmissionResponse', () => {
  it('allows a clean workload with nothing else in the answer', () => {
    const review = buildAdmissionResponse({ uid: UID, workload: WEB, results: [{ container: container('app', 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', []) }] });
    expect(review).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: UID, allowed: true } });
  });

  it('denies with one line per problem, naming the workload, the container and the image', () => {
    const review = buildAdmissionResponse({
      uid: UID,
      workload: WEB,
      results: [
        { container: container('app', 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', [ROOT, BIG, BASE]) },
        { container: container('setup', 'golang:1.22', 'initContainer'), verdict: verdict('docker.io/library/golang:1.22', [violation('buildBase', 'enforce', 'golang:1.22 is a build image (Go toolchain); build FROM gcr.io/distroless/static')]) },
      ],
    });
    expect(review.response.allowed).toBe(false);
    expect(review.response.uid).toBe(UID);
    expect(review.response.status).toEqual({
      status: 'Failure',
      code: 403,
      reason: 'Forbidden',
      message: [
        'slimguard denied Deployment team-a/web:',
        '- container "app" (nginx:1.27): [runAsRoot] nginx:1.27 runs as root (no USER set); use USER 65532 or runAsUser: 65532',
        '- initContainer "setup" (golang:1.22): [buildBase] golang:1.22 is a build image (Go toolchain); build FROM gcr.io/distroless/static',
      ].join('\n'),
    });
    // The warn violation is still shown; the audit one only recorded.
    expect(review.response.warnings).toEqual(['[sizeBudget] nginx:1.27 is 412 MB compressed, budget 300 MB (container "app")']);
    expect(review.response.auditAnnotations?.['decision']).toBe('deny');
    const recorded = JSON.parse(review.response.auditAnnotations!['violations']!) as { rule: string; mode: string; containers: string[] }[];
    expect(recorded.map((r) => [r.rule, r.mode, r.containers])).toEqual([
      ['runAsRoot', 'enforce', ['app']],
      ['sizeBudget', 'warn', ['app']],
      ['buildBase', 'audit', ['app']],
      ['buildBase', 'enforce', ['setup']],
    ]);
  });

  it('names the same problem of the same image in several containers once', () => {
    const results: ContainerResult[] = ['a', 'b', 'c'].map((name) => ({ container: container(name, 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', [ROOT, BIG]) }));
    const review = buildAdmissionResponse({ uid: UID, workload: WEB, results });
    expect(review.response.status?.message).toBe(
      'slimguard denied Deployment team-a/web:\n- containers "a", "b", "c" (nginx:1.27): [runAsRoot] nginx:1.27 runs as root (no USER set); use USER 65532 or runAsUser: 65532',
    );
    expect(review.response.warnings).toEqual(['[sizeBudget] nginx:1.27 is 412 MB compressed, budget 300 MB (containers "a", "b", "c")']);
    expect(JSON.parse(review.response.auditAnnotations!['violations']!)).toHaveLength(2);
  });

  it('allows warn violations with warnings and audit violations silently', () => {
    const warned = buildAdmissionResponse({ uid: UID, workload: WEB, results: [{ container: container('app', 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', [BIG]) }] });
    expect(warned.response).toMatchObject({ allowed: true, warnings: [expect.stringMatching(/^\[sizeBudget\] /)] });
    expect(warned.response.status).toBeUndefined();

    const audited = buildAdmissionResponse({ uid: UID, workload: WEB, results: [{ container: container('app', 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', [BASE]) }] });
    expect(audited.response.allowed).toBe(true);
    expect(audited.response.warnings).toBeUndefined();
    expect(audited.response.auditAnnotations).toEqual({
      decision: 'allow',
      violations: JSON.stringify([{ rule: 'buildBase', mode: 'audit', image: 'docker.io/library/nginx:1.27', containers: ['app'], message: BASE.message, digest: DIGEST }]),
    });
  });

  it('keeps the rule first and the container names whole when a warning is cut to 256 characters', () => {
    const long = violation('sizeBudget', 'warn', `nginx:1.27 is 412 MB compressed ${'and more detail '.repeat(30)}`);
    const review = buildAdmissionResponse({ uid: UID, workload: WEB, results: [{ container: container('app', 'nginx:1.27'), verdict: verdict('nginx', [long]) }] });
    const [warning] = review.response.warnings!;
    expect([...warning!].length).toBeLessThanOrEqual(256);
    expect([...warning!].length).toBeGreaterThan(250);
    expect(warning).toMatch(/^\[sizeBudget\] nginx:1\.27 is 412 MB compressed and more detail/);
    expect(warning!.endsWith('… (container "app")')).toBe(true);
  });

  it('warns about an image it could not read when onRegistryError is allow', () => {
    const review = buildAdmissionResponse({
      uid: UID,
      workload: WEB,
      results: [
        { container: container('app', 'ghcr.io/x/y:1'), failure: { image: 'ghcr.io/x/y:1', message: 'timeout', onRegistryError: 'allow' } },
        { container: container('sidecar', 'ghcr.io/x/y:1'), failure: { image: 'ghcr.io/x/y:1', message: 'timeout', onRegistryError: 'allow' } },
      ],
    });
    expect(review.response.allowed).toBe(true);
    expect(review.response.warnings).toEqual(['[registry] cannot read ghcr.io/x/y:1 (timeout): allowed without checks (containers "app", "sidecar")']);
    expect(JSON.parse(review.response.auditAnnotations!['registry-failures']!)).toEqual([
      { image: 'ghcr.io/x/y:1', onRegistryError: 'allow', containers: ['app', 'sidecar'], message: 'timeout' },
    ]);
  });

  it('denies for an image it could not read when onRegistryError is deny', () => {
    const review = buildAdmissionResponse({
      uid: UID,
      workload: { group: '', kind: 'Pod', namespace: 'team-a', name: 'web-pod' },
      results: [
        { container: container('app', 'nginx:1.27'), verdict: verdict('docker.io/library/nginx:1.27', []) },
        { container: container('metrics', 'ghcr.io/x/y:1'), failure: { image: 'ghcr.io/x/y:1', message: 'manifest unknown\nsecond line', onRegistryError: 'deny' } },
      ],
    });
    expect(review.response.allowed).toBe(false);
    expect(review.response.status?.message).toBe(
      'slimguard denied Pod team-a/web-pod:\n- container "metrics" (ghcr.io/x/y:1): [registry] cannot read ghcr.io/x/y:1 (manifest unknown second line): denied (onRegistryError: deny)',
    );
  });

  it('warns about containers it could not read, and passes notes and extra warnings on', () => {
    const review = buildAdmissionResponse({
      uid: UID,
      workload: WEB,
      results: [{ container: container('app', 'nginx:1.27'), verdict: verdict('nginx', [], ['[runAsRoot] nginx:1.27 exempted: legacy (exemption expires in 3 days, 2025-01-04; fix it before then)']) }],
      invalidContainers: [
        { type: 'container', name: 'web', fieldPath: 'spec.template.spec.containers[1]', reason: 'no image set' },
        { type: 'container', fieldPath: 'spec.template.spec.containers[2]', reason: 'is not an object' },
        { fieldPath: 'spec.template', reason: 'no pod template' },
      ],
      extraWarnings: ['namespace label slimguard.io/mode="loud" ignored: expected one of enforce, warn, audit, off'],
    });
    expect(review.response.allowed).toBe(true);
    expect(review.response.warnings).toEqual([
      '[invalid] container "web" at spec.template.spec.containers[1]: no image set; not checked',
      '[invalid] spec.template.spec.containers[2]: is not an object; not checked',
      '[invalid] spec.template: no pod template; not checked',
      'namespace label slimguard.io/mode="loud" ignored: expected one of enforce, warn, audit, off',
      '[runAsRoot] nginx:1.27 exempted: legacy (exemption expires in 3 days, 2025-01-04; fix it before then)',
    ]);
    expect(review.response.auditAnnotations).toBeUndefined();
  });

  it('keeps 40 containers worth of warnings within the API server limits', () => {
    const results: ContainerResult[] = Array.from({ length: 40 }, (_, i) => ({
      container: container(`worker-${i}`, `registry.example.com/team/worker-${i}:1.0`),
      verdict: verdict(`registry.example.com/team/worker-${i}:1.0`, [
        violation('sizeBudget', 'warn', `registry.example.com/team/worker-${i}:1.0 is 612 MB compressed, budget 500 MB; largest layer 410 MB (RUN apt-get install)`),
      ]),
    }));
    const review = buildAdmissionResponse({ uid: UID, workload: WEB, results });
    const warnings = review.response.warnings!;
    expect(warnings.reduce((sum, w) => sum + utf8ByteLength(w), 0)).toBeLessThanOrEqual(4096);
    for (const warning of warnings) expect([...warning].length).toBeLessThanOrEqual(256);
    expect(warnings.at(-1)).toMatch(/^\[slimguard\] \d+ more warnings not shown/);
    expect(warnings[0]).toBe('[sizeBudget] registry.example.com/team/worker-0:1.0 is 612 MB compressed, budget 500 MB; largest layer 410 MB (RUN apt-get install) (container "worker-0")');
  });

  it('summarises a denial with more than 50 lines', () => {
    const results: ContainerResult[] = Array.from({ length: 60 }, (_, i) => ({
      container: container(`c${i}`, `img-${i}:1`),
      verdict: verdict(`docker.io/library/img-${i}:1`, [violation('runAsRoot', 'enforce', `img-${i}:1 runs as root`)]),
    }));
    const message = buildAdmissionResponse({ uid: UID, workload: WEB, results }).response.status!.message;
    const lines = message.split('\n');
    expect(lines).toHaveLength(52);
    expect(lines.at(-1)).toBe('- … and 10 more');
  });

  it('cleans control characters out of the deny message but keeps its lines', () => {
    const evil = container('app', 'evil\u001b[2J:1');
    const review = buildAdmissionResponse({ uid: UID, workload: WEB, results: [{ container: evil, verdict: verdict('evil', [violation('runAsRoot', 'enforce', 'evil\u0007 runs as root')]) }] });
    expect(review.response.status?.message).toBe('slimguard denied Deployment team-a/web:\n- container "app" (evil [2J:1): [runAsRoot] evil runs as root');
  });
});

describe('workloadDecision', () => {
  it('is deny for enforce or a denied registry failure, warn for warn or an allowed failure, else allow', () => {
    const app = container('app', 'nginx:1.27');
    expect(workloadDecision([])).toBe('allow');
    expect(workloadDecision([{ container: app, verdict: verdict('nginx', [BASE]) }])).toBe('allow');
    expect(workloadDecision([{ container: app, verdict: verdict('nginx', [BASE, BIG]) }])).toBe('warn');
    expect(workloadDecision([{ container: app, verdict: verdict('nginx', [BIG]) }, { container: app, verdict: verdict('nginx', [ROOT]) }])).toBe('deny');
    expect(workloadDecision([{ container: app, failure: { image: 'x', message: 'timeout', onRegistryError: 'allow' } }])).toBe('warn');
    expect(workloadDecision([{ container: app, failure: { image: 'x', message: 'timeout', onRegistryError: 'deny' } }])).toBe('deny');
  });
});

describe('allowResponse, denyResponse, errorResponse', () => {
  it('allows with the uid echoed and limited warnings', () => {
    expect(allowResponse(UID)).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: UID, allowed: true } });
    expect(allowResponse(UID, ['a', 'a', 'b\nc']).response.warnings).toEqual(['a', 'b c']);
  });

  it('denies with a status the API server shows as is', () => {
    expect(denyResponse(UID, 'line one\nline\u0000two', { warnings: ['w'] }).response).toEqual({
      uid: UID,
      allowed: false,
      status: { status: 'Failure', code: 403, reason: 'Forbidden', message: 'line one\nline two' },
      warnings: ['w'],
    });
  });

  it('reports an internal error as a 500', () => {
    expect(errorResponse(UID, 'deadline exceeded').response.status).toEqual({
      status: 'Failure',
      code: 500,
      reason: 'InternalError',
      message: 'slimguard could not review the request: deadline exceeded',
    });
  });
});

describe('from AdmissionReview to answer with the real policy engine', () => {
  it('denies kubectl create deployment web --image=nginx:1.27 --image=busybox:1.36 under runAsRoot: enforce', () => {
    const request = decodeAdmissionReview(structuredClone(deploymentReview));
    const listing = listContainers(request);
    if (listing.action !== 'review') throw new Error('expected a review');
    const policy = testPolicy({ runAsRoot: { mode: 'enforce' }, buildBase: { mode: 'off' } });
    const facts = { 'nginx:1.27': nginxFacts(), 'busybox:1.36': buildFacts({ reference: 'docker.io/library/busybox:1.36', user: '' }) };
    const results: ContainerResult[] = listing.containers.map((c) => ({
      container: c,
      verdict: evaluate({ facts: facts[c.image as keyof typeof facts], context: c.context, policy, now: new Date('2025-01-01T00:00:00Z') }),
    }));
    const review = buildAdmissionResponse({ uid: request.uid, workload: listing.workload, results, invalidContainers: listing.invalid });
    expect(review.response.uid).toBe(deploymentReview.request.uid);
    expect(review.response.allowed).toBe(false);
    expect(review.response.status?.message).toBe(
      [
        'slimguard denied Deployment team-a/web:',
        '- container "nginx" (nginx:1.27): [runAsRoot] nginx:1.27 runs as root (no USER set); use USER 65532 or runAsUser: 65532',
        '- container "busybox" (busybox:1.36): [runAsRoot] busybox:1.36 runs as root (no USER set); use USER 65532 or runAsUser: 65532',
      ].join('\n'),
    );
  });

  it('lets the securityContexts decide: the pod runAsUser 1000 passes, the init container overriding it with root does not', () => {
    const request = decodeAdmissionReview(structuredClone(podReview));
    const listing = listContainers(request);
    if (listing.action !== 'review') throw new Error('expected a review');
    const policy = testPolicy({ runAsRoot: { mode: 'enforce' }, sizeBudget: { mode: 'off' }, buildBase: { mode: 'off' } });
    const results: ContainerResult[] = listing.containers.map((c) => ({
      container: c,
      verdict: evaluate({ facts: buildFacts({ reference: `docker.io/library/${c.image}`, user: '' }), context: c.context, policy }),
    }));
    const review = buildAdmissionResponse({ uid: request.uid, workload: listing.workload, results });
    expect(review.response.status?.message).toBe(
      'slimguard denied Pod team-a/web-pod:\n- initContainer "setup" (busybox:1.36): [runAsRoot] busybox:1.36 runs as root: container runAsUser is 0; set a non-zero runAsUser',
    );
  });
});
