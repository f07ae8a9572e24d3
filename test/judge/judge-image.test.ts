import { describe, expect, inject, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';
import { defaultPolicy } from '../../src/config/default-policy.js';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import { judgeImage } from '../../src/judge/judge-image.js';
import { buildImage, buildIndex } from '../harness/oci-image-builder.js';
import { appOnGolang } from './golang-app-image.js';
import { countRequests, pushTo, uniqueRepository } from '../image-facts/helpers.js';

const { anonymous } = inject('registries');
const insecureRegistries = [anonymous.host];

describe('judgeImage against the real registry', () => {
  it('flags an app built FROM golang, and reads provenance only to support that finding', async () => {
    const repository = uniqueRepository('fromgolang');
    const index = buildIndex({ images: [appOnGolang()], attestations: true });
    await pushTo(anonymous, repository, 'v1', index);
    const source = createImageSource({ insecureRegistries });
    const { result, requests } = await countRequests(anonymous, repository, () =>
      judgeImage({ source, policy: defaultPolicy, reference: `${anonymous.host}/${repository}:v1` }),
    );
    const violation = result.verdict.violations.find((v) => v.rule === 'buildBase');
    expect(violation?.message).toMatch(/^\[buildBase\] /);
    expect(violation?.mode).toBe('warn');
    expect(result.verdict.buildBase).toMatchObject({ detected: true, ecosystem: 'go', supportedByProvenance: true });
    expect(result.verdict.buildBase?.evidence.map((e) => e.signal)).toEqual(expect.arrayContaining(['env', 'provenance']));
    // index, manifest, config — then attestation manifest and statement for the support.
    expect(requests).toHaveLength(5);
    await source.close();
  });

  it('never flags a multi-stage build because of its golang builder, and reads no provenance', async () => {
    const repository = uniqueRepository('multistage');
    const distrolessApp = buildImage({
      user: '65532:65532',
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'],
      annotations: { 'org.opencontainers.image.base.name': 'gcr.io/distroless/static-debian12:nonroot' },
      history: [
        { created_by: 'bazel build //static:static_debian12_nonroot' },
        { created_by: 'COPY /out/server /server # buildkit' },
      ],
      layers: [{ sizeBytes: 800, seed: 'distroless' }, { sizeBytes: 900, seed: 'server' }],
    });
    // Its provenance lists golang (the builder stage) and distroless (the final base).
    await pushTo(anonymous, repository, 'v1', buildIndex({ images: [distrolessApp], attestations: true }));
    const source = createImageSource({ insecureRegistries });
    const { result, requests } = await countRequests(anonymous, repository, () =>
      judgeImage({ source, policy: defaultPolicy, reference: `${anonymous.host}/${repository}:v1` }),
    );
    expect(result.verdict.decision).toBe('allow');
    expect(result.verdict.violations).toEqual([]);
    expect(result.verdict.buildBase?.detected).toBe(false);
    expect(requests).toHaveLength(3);
    await source.close();
  });

  it('matches the layer prefix of a build base listed in the policy catalog', async () => {
    const baseRepository = uniqueRepository('sdk');
    const appRepository = uniqueRepository('onsdk');
    // A private SDK image with no telling ENV or history: only its layers give it away.
    const sdk = buildImage({ user: '0', layers: [{ sizeBytes: 2000, seed: 'acme-sdk-1' }, { sizeBytes: 2000, seed: 'acme-sdk-2' }] });
    const app = buildImage({
      user: '1000',
      layers: [{ sizeBytes: 2000, seed: 'acme-sdk-1' }, { sizeBytes: 2000, seed: 'acme-sdk-2' }, { sizeBytes: 100, seed: 'acme-app' }],
    });
    await pushTo(anonymous, baseRepository, '1.0', sdk);
    await pushTo(anonymous, appRepository, 'v1', app);
    const policy = parsePolicy(
      `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: catalog}
spec:
  mode: enforce
  rules:
    buildBase:
      catalog:
        - {reference: "${anonymous.host}/${baseRepository}:1.0", ecosystem: java}
`,
      'test',
    );
    const source = createImageSource({ insecureRegistries });
    const { verdict } = await judgeImage({ source, policy, reference: `${anonymous.host}/${appRepository}:v1` });
    expect(verdict.decision).toBe('deny');
    expect(verdict.buildBase).toMatchObject({ detected: true, ecosystem: 'java' });
    expect(verdict.buildBase?.evidence.some((e) => e.signal === 'layers' && e.detail.includes(baseRepository))).toBe(true);

    // A catalog image that cannot be read weakens the signal, it does not fail the judgement.
    const missing = parsePolicy(
      `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: catalog}
spec:
  rules:
    buildBase:
      catalog: [{reference: "${anonymous.host}/${baseRepository}:nope", ecosystem: java}]
`,
      'test',
    );
    const weaker = await judgeImage({ source, policy: missing, reference: `${anonymous.host}/${appRepository}:v1` });
    expect(weaker.verdict.buildBase?.detected).toBe(false);
    expect(weaker.verdict.notes.join('\n')).toMatch(/catalog image .*:nope not read/);
    await source.close();
  });
});
