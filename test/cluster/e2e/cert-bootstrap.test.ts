// Scenario 9 of the e2e issue: certificate bootstrap. With certificates.mode=bootstrap the chart
// runs `slimguard serve --cert-bootstrap-secret ...`: the webhook makes its own CA and serving
// certificate, keeps them in a Secret, patches its ValidatingWebhookConfiguration's caBundle,
// and the API server then trusts it with nothing set up by hand. A restart reuses the Secret.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/eventually.js';
import { escapeRegExp, kubectlRun, untilAnswer, webhookNames } from './support/admission-helpers.js';
import { pushScenarioImages, type ScenarioImages } from './support/scenario-images.js';
import { createSlimguardRelease, RELEASE, RELEASE_NAMESPACE, WEBHOOK_HOST, type SlimguardRelease } from './support/slimguard-release.js';

const registries = inject('registries');
const SECRET = `${RELEASE}-tls`;
const NAMESPACE = 'team-bootstrap';
let release: SlimguardRelease;
let images: ScenarioImages;

type Json = Record<string, any>;
const readSecret = async (): Promise<Json | undefined> => {
  const found = await release.kubectl.run(['-n', RELEASE_NAMESPACE, 'get', 'secret', SECRET, '-o', 'json']);
  return found.code === 0 ? (JSON.parse(found.stdout) as Json) : undefined;
};
const decoded = (secret: Json, key: string) => Buffer.from(secret.data[key] as string, 'base64').toString('utf8');
/** The CA once the webhook has stored it: what the readiness probe trusts. */
const storedCa = async () => decoded((await eventually(readSecret, (s) => s?.data?.['ca.crt'] !== undefined, `Secret ${SECRET}`, 60_000))!, 'ca.crt');

beforeAll(async () => {
  images = await pushScenarioImages(registries);
  release = await createSlimguardRelease();
  await release.kubectl.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  // A Secret left by an earlier run would be reused, and this file is about creating it.
  await release.kubectl.run(['-n', RELEASE_NAMESPACE, 'delete', 'secret', SECRET, '--ignore-not-found']);
  await release.install({
    mode: 'enforce',
    webhook: { failurePolicy: 'Fail', timeoutSeconds: 10 },
    certificates: { mode: 'bootstrap', extraIpAddresses: [WEBHOOK_HOST] },
    registry: { insecureRegistries: [registries.anonymous.host] },
  });
  await release.startWebhook(storedCa);
});

afterAll(async () => {
  await release?.teardown(async () => {
    await release.kubectl.run(['-n', RELEASE_NAMESPACE, 'delete', 'secret', SECRET, '--ignore-not-found']);
  });
});

describe('9. certificate bootstrap', () => {
  it('runs the chart bootstrap flags, with no certificate given', () => {
    const args = release.webhook()!.args.join(' ');
    expect(args).toContain(`--cert-bootstrap-secret=${SECRET}`);
    expect(args).toContain(`--webhook-configuration=${RELEASE}`);
    expect(args).toContain(`--cert-ip-address=${WEBHOOK_HOST}`);
    expect(args).not.toContain('--tls-cert');
  });

  it('stores its CA and serving certificate in a kubernetes.io/tls Secret', async () => {
    const secret = (await readSecret())!;
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const caCert = new X509Certificate(decoded(secret, 'ca.crt'));
    const serving = new X509Certificate(decoded(secret, 'tls.crt'));
    expect(caCert.ca).toBe(true);
    expect(serving.verify(caCert.publicKey)).toBe(true);
    const sans = serving.subjectAltName ?? '';
    for (const name of [RELEASE, `${RELEASE}.${RELEASE_NAMESPACE}`, `${RELEASE}.${RELEASE_NAMESPACE}.svc`, `${RELEASE}.${RELEASE_NAMESPACE}.svc.cluster.local`]) {
      expect(sans).toContain(`DNS:${name}`);
    }
    expect(sans).toContain(`IP Address:${WEBHOOK_HOST}`);
  });

  it("patches every webhook's caBundle with that CA, and the API server trusts the webhook", async () => {
    const ca = decoded((await readSecret())!, 'ca.crt');
    const configuration = await eventually(
      () => release.kubectl.getJson(['validatingwebhookconfiguration', RELEASE]),
      (c) => (c.webhooks as Json[]).every((w) => w.clientConfig.caBundle === Buffer.from(ca).toString('base64')),
      'the caBundle patch',
    );
    expect((configuration.webhooks as Json[]).length).toBeGreaterThan(0);
    const names = await webhookNames(release.kubectl);
    // failurePolicy Fail: a TLS error would reject with "failed calling webhook", not this denial.
    const result = await untilAnswer(() => kubectlRun(release.kubectl, NAMESPACE, 'root', images.root), (r) => r.stderr.includes('[runAsRoot]'), 'a verdict');
    expect(result.code).toBe(1);
    expect(names.some((name) => result.stderr.includes(`admission webhook "${name}" denied the request`))).toBe(true);
    expect(result.stderr).toMatch(new RegExp(`\\[runAsRoot\\] ${escapeRegExp(images.root)} runs as root`));
  });

  it("needs nothing the chart's RBAC does not grant: no call of the webhook is forbidden", () => {
    // The process runs with the chart's ServiceAccount token: a verb missing from the chart's
    // Role or ClusterRole shows up as a Forbidden warning (the bootstrapper retries and goes on).
    const warnings = release.webhook()!.logLines().filter((line) => line.level >= 40);
    expect(warnings.filter((line) => /forbidden/i.test(JSON.stringify(line)))).toEqual([]);
  });

  it('reuses the stored CA and certificate after a restart', async () => {
    const before = (await readSecret())!;
    await release.startWebhook(storedCa);
    const after = (await readSecret())!;
    expect(after.data).toEqual(before.data);
    const result = await kubectlRun(release.kubectl, NAMESPACE, 'root', images.root);
    expect(result.stderr).toMatch(/\[runAsRoot\]/);
  });
});
