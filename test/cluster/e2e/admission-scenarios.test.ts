// End-to-end scenarios 1-8 and 10 of the e2e issue: the chart installed with helm, the webhook
// process (the built binary, the chart's flags) called by a real kube-apiserver over TLS trusted
// through the chart's caBundle, and every verdict asserted on what kubectl prints and on what
// the API server then holds. Scenario 9 (certificate bootstrap) is cert-bootstrap.test.ts.
//
// The `it`s run in order and share one release: 4 relabels team-a after 1-3 used it in enforce
// mode, 10 reads the metrics the earlier ones produced, 8 stops the process last.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from '../../../src/certs/certificates.js';
import { deployment, everyKind, kubectlCreate } from '../../webhook/objects.js';
import { runCommand } from '../../harness/run-command.js';
import { eventually } from '../harness/eventually.js';
import { escapeRegExp, exists, kubectlRun, untilAnswer, webhookNames } from './support/admission-helpers.js';
import { pushScenarioImages, type ScenarioImages } from './support/scenario-images.js';
import { createSlimguardRelease, RELEASE, RELEASE_NAMESPACE, WEBHOOK_HOST, type SlimguardRelease } from './support/slimguard-release.js';

const registries = inject('registries');
const { basic } = registries;
const TLS_SECRET = `${RELEASE}-tls`;
const FIX = 'use USER 65532 or runAsUser: 65532';
let release: SlimguardRelease;
let images: ScenarioImages;
let names: string[];
const ca = createCertificateAuthority({ commonName: 'slimguard-e2e-ca', validityDays: 1 });

const deniedBySlimguard = (stderr: string) => names.some((name) => stderr.includes(`admission webhook "${name}" denied the request`));

beforeAll(async () => {
  images = await pushScenarioImages(registries);
  release = await createSlimguardRelease();
  const { kubectl } = release;
  for (const namespace of ['team-a', 'team-b', 'team-c']) {
    await kubectl.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
  await release.install({
    mode: 'enforce',
    policy: {
      onRegistryError: 'deny',
      rules: {
        runAsRoot: { mode: 'enforce' },
        sizeBudget: { mode: 'warn', maxCompressedSize: '1Mi' },
        buildBase: { mode: 'enforce' },
      },
    },
    webhook: { failurePolicy: 'Ignore', timeoutSeconds: 10 },
    // The serving certificate comes from a Secret the operator made; its CA goes into the
    // webhook configuration through the chart's caBundle value: the API server verifies TLS.
    certificates: { mode: 'secret', caBundle: Buffer.from(ca.certPem).toString('base64') },
    registry: { insecureRegistries: [registries.anonymous.host, basic.host] },
    pullSecrets: { enabled: true },
  });
  const serving = createServingCertificate({
    ca,
    commonName: WEBHOOK_HOST,
    dnsNames: [`${RELEASE}.${RELEASE_NAMESPACE}.svc`],
    ipAddresses: [WEBHOOK_HOST],
    validityDays: 1,
  });
  await kubectl.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: TLS_SECRET, namespace: RELEASE_NAMESPACE },
    stringData: { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem, 'ca.crt': ca.certPem },
  });
  await release.startWebhook(async () => ca.certPem);
  names = await webhookNames(kubectl);
  // Until the API server has loaded the configuration (and failurePolicy Ignore admits).
  await untilAnswer(
    () => kubectlRun(kubectl, 'team-a', 'probe', images.root, ['--dry-run=server']),
    (result) => deniedBySlimguard(result.stderr),
    'the API server to call slimguard',
  );
});

afterAll(async () => {
  await release?.teardown(async () => {
    await release.kubectl.run(['-n', RELEASE_NAMESPACE, 'delete', 'secret', TLS_SECRET, '--ignore-not-found']);
    await release.kubectl.run(['-n', 'kube-system', 'delete', 'pod', 'root-in-kube-system', '--ignore-not-found', '--wait=false']);
  });
});

describe('slimguard installed by its chart, behind a real kube-apiserver', () => {
  it('uses the url client config because a bare API server cannot route a Service to a local process', async () => {
    // The claim in support/slimguard-release.ts, checked: loopback endpoints are refused.
    const refused = await release.kubectl.run(
      ['-n', RELEASE_NAMESPACE, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'slimguard-local' },
        subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: release.port }] }],
      }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/may not be in the loopback range/);
    const configuration = await release.kubectl.getJson(['validatingwebhookconfiguration', RELEASE]);
    for (const webhook of configuration.webhooks as Record<string, any>[]) {
      expect(webhook.clientConfig).toEqual({ url: release.webhookUrl, caBundle: Buffer.from(ca.certPem).toString('base64') });
    }
    // The process runs the chart's flags; only addresses, mounts and the kubeconfig are local.
    expect(release.webhook()?.args).toContain('--pull-secrets');
    expect(release.webhook()?.args.join(' ')).toContain(`--insecure-registry=${basic.host}`);
  });

  it('1. kubectl run of a root image is denied, naming [runAsRoot] and the fix', async () => {
    const result = await kubectlRun(release.kubectl, 'team-a', 'root', images.root);
    expect(result.code).toBe(1);
    expect(deniedBySlimguard(result.stderr)).toBe(true);
    expect(result.stderr).toContain('slimguard denied Pod team-a/root:');
    expect(result.stderr).toMatch(new RegExp(`\\[runAsRoot\\] ${escapeRegExp(images.root)} runs as root \\(.+\\); ${escapeRegExp(FIX)}`));
    expect(await exists(release.kubectl, 'team-a', 'pod/root')).toBe(false);
  });

  it('2. kubectl apply of a Deployment over the size budget in warn mode creates it and prints the warning', async () => {
    const result = await release.kubectl.run(['-n', 'team-a', 'apply', '-f', '-'], JSON.stringify(deployment('big', images.oversized)));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('deployment.apps/big created');
    expect(result.stderr).toMatch(new RegExp(`^Warning: \\[sizeBudget\\] ${escapeRegExp(images.oversized)} is 1\\.\\d+ ?Mi?B compressed, budget 1 ?Mi?B`, 'm'));
    expect(await exists(release.kubectl, 'team-a', 'deployment/big')).toBe(true);
  });

  it('3. a CronJob and a StatefulSet on a build base are denied at the controller, before any Pod', async () => {
    const cronJob = kubectlCreate(['cronjob', 'nightly', `--image=${images.buildBase}`, '--schedule=0 3 * * *']);
    const statefulSet = { ...everyKind(images.buildBase).find((object) => object.kind === 'StatefulSet')!, metadata: { name: 'db', labels: { app: 'db' } } };
    for (const [object, kind, name] of [[cronJob, 'CronJob', 'nightly'], [statefulSet, 'StatefulSet', 'db']] as const) {
      const result = await release.kubectl.run(['-n', 'team-a', 'apply', '-f', '-'], JSON.stringify(object));
      expect(result.code, result.stderr).toBe(1);
      expect(deniedBySlimguard(result.stderr)).toBe(true);
      expect(result.stderr).toContain(`slimguard denied ${kind} team-a/${name}:`);
      expect(result.stderr).toMatch(new RegExp(`\\[buildBase\\] ${escapeRegExp(images.buildBase)} is built on .+; `));
      expect(await exists(release.kubectl, 'team-a', `${kind.toLowerCase()}/${name}`)).toBe(false);
    }
    // Nothing was created that a controller could turn into Jobs or Pods later.
    expect((await release.kubectl.ok(['-n', 'team-a', 'get', 'cronjobs,statefulsets,jobs,pods', '-o', 'name'])).trim()).toBe('');
  });

  it('4. kubectl label namespace team-a slimguard.io/mode=warn admits the same root pod with a warning, without a restart', async () => {
    const before = release.webhook()!;
    await release.kubectl.ok(['label', 'namespace', 'team-a', 'slimguard.io/mode=warn']);
    // The label reaches the webhook through its namespace informer, a moment later.
    const result = await untilAnswer(() => kubectlRun(release.kubectl, 'team-a', 'root', images.root), (r) => r.code === 0, 'the label to apply');
    expect(result.stdout).toContain('pod/root created');
    expect(result.stderr).toMatch(new RegExp(`^Warning: \\[runAsRoot\\] ${escapeRegExp(images.root)} runs as root \\(.+\\); ${escapeRegExp(FIX)}`, 'm'));
    expect(await exists(release.kubectl, 'team-a', 'pod/root')).toBe(true);
    expect(release.webhook()).toBe(before);
    expect(before.isRunning()).toBe(true);
    expect(before.logLines().filter((line) => line.msg === 'slimguard serving')).toHaveLength(1);
  });

  it('5. a pod in an excluded namespace (kube-system) is admitted untouched', async () => {
    const result = await kubectlRun(release.kubectl, 'kube-system', 'root-in-kube-system', images.root);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const pod = await release.kubectl.getJson(['-n', 'kube-system', 'pod', 'root-in-kube-system']);
    expect(pod.spec.containers[0].image).toBe(images.root);
    // The chart's namespaceSelector keeps the API server from even asking (slimguard's own
    // --exclude-namespace is the second line of defence, tested in test/webhook).
    const decisions = release.webhook()!.logLines().filter((line) => line.msg === 'admission decision');
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.filter((line) => line.namespace === 'kube-system')).toEqual([]);
  });

  it('6. kubectl apply --dry-run=server gives the same verdicts and creates nothing', async () => {
    const denied = await kubectlRun(release.kubectl, 'team-b', 'root', images.root, ['--dry-run=server']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('slimguard denied Pod team-b/root:');
    expect(denied.stderr).toMatch(new RegExp(`\\[runAsRoot\\] ${escapeRegExp(images.root)} runs as root \\(.+\\); ${escapeRegExp(FIX)}`));

    const warned = await release.kubectl.run(['-n', 'team-b', 'apply', '--dry-run=server', '-f', '-'], JSON.stringify(deployment('big', images.oversized)));
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('deployment.apps/big created (server dry run)');
    expect(warned.stderr).toMatch(/^Warning: \[sizeBudget\] /m);

    expect((await release.kubectl.ok(['-n', 'team-b', 'get', 'pods,deployments', '-o', 'name'])).trim()).toBe('');
    // The decision log line is written as the answer goes out: read it once it is there.
    const decisions = () =>
      release.webhook()!.logLines()
        .filter((line) => line.msg === 'admission decision' && line.namespace === 'team-b')
        .map((line) => `${line.kind} dryRun=${line.dryRun} ${line.decision}`);
    expect(await eventually(decisions, (lines) => lines.length >= 2, 'the decision log lines')).toEqual(['Pod dryRun=true deny', 'Deployment dryRun=true warn']);
  });

  it('7. a private registry with Basic auth: onRegistryError without imagePullSecrets, judged with them', async () => {
    const { kubectl } = release;
    // Without credentials first: the facts cache is shared by every request (facts of an image are
    // the same whoever asks), so once the image is judged with the secret, it is judged from cache.
    const without = await kubectlRun(kubectl, 'team-c', 'private', images.privateRoot);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('slimguard denied Pod team-c/private:');
    expect(without.stderr).toMatch(new RegExp(`\\[registry\\] cannot read ${escapeRegExp(images.privateRoot)} \\(.*(401|nauthori).*\\): denied \\(onRegistryError: deny\\)`));
    expect(await exists(kubectl, 'team-c', 'pod/private')).toBe(false);

    await kubectl.ok([
      '-n', 'team-c', 'create', 'secret', 'docker-registry', 'regcred',
      `--docker-server=${basic.host}`, `--docker-username=${basic.username}`, `--docker-password=${basic.password}`,
    ]);
    const withSecret = () =>
      kubectlRun(kubectl, 'team-c', 'private', images.privateRoot, ['--overrides', JSON.stringify({ spec: { imagePullSecrets: [{ name: 'regcred' }] } })]);
    // The Secret reaches the webhook through its informer: until then the image cannot be read.
    const judged = await untilAnswer(withSecret, (r) => r.stderr.includes('[runAsRoot]'), 'the pull secret to be used');
    expect(judged.code).toBe(1);
    expect(judged.stderr).toMatch(new RegExp(`\\[runAsRoot\\] ${escapeRegExp(images.privateRoot)} runs as root`));
    expect(await exists(kubectl, 'team-c', 'pod/private')).toBe(false);
    // Never the password, in what users see or in the webhook's log.
    expect(`${judged.stderr}${without.stderr}`).not.toContain(basic.password);
    expect(JSON.stringify(release.webhook()!.logLines())).not.toContain(basic.password);
  });

  it('10. /metrics shows the denials and warnings by rule', async () => {
    const text = await release.webhook()!.metricsText();
    const value = (series: string) => Number(new RegExp(`^${escapeRegExp(series)} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
    expect(value('slimguard_violations_total{rule="runAsRoot",mode="enforce"}')).toBeGreaterThanOrEqual(3);
    expect(value('slimguard_violations_total{rule="runAsRoot",mode="warn"}')).toBeGreaterThanOrEqual(1);
    expect(value('slimguard_violations_total{rule="sizeBudget",mode="warn"}')).toBeGreaterThanOrEqual(2);
    expect(value('slimguard_violations_total{rule="buildBase",mode="enforce"}')).toBeGreaterThanOrEqual(2);
    expect(value('slimguard_admission_requests_total{kind="Pod",operation="CREATE",decision="deny"}')).toBeGreaterThanOrEqual(3);
    expect(value('slimguard_admission_requests_total{kind="CronJob",operation="CREATE",decision="deny"}')).toBeGreaterThanOrEqual(1);
    expect(value('slimguard_admission_requests_total{kind="StatefulSet",operation="CREATE",decision="deny"}')).toBeGreaterThanOrEqual(1);
    expect(value('slimguard_admission_requests_total{kind="Deployment",operation="CREATE",decision="warn"}')).toBeGreaterThanOrEqual(2);
    // Never an image reference as a label.
    expect(text).not.toContain(images.root);
    const promtool = await runCommand('promtool', ['check', 'metrics'], { input: text });
    expect(promtool.stderr + promtool.stdout).not.toMatch(/error/i);
    expect(promtool.code).toBe(0);
  });

  it("needs nothing the chart's RBAC does not grant: no call of the webhook is forbidden", () => {
    // Namespaces, nodes, service accounts and pull secrets through informers, with the chart's
    // ServiceAccount token: a missing verb is a logged Forbidden, not a failed start.
    const warnings = release.webhook()!.logLines().filter((line) => line.level >= 40);
    expect(warnings.filter((line) => /forbidden/i.test(JSON.stringify(line)))).toEqual([]);
  });

  it('8. with the webhook process stopped: failurePolicy Ignore admits, Fail (after helm upgrade) rejects', async () => {
    const { kubectl } = release;
    await release.webhook()!.stop();
    const ignored = await kubectlRun(kubectl, 'team-b', 'while-down', images.root);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(await exists(kubectl, 'team-b', 'pod/while-down')).toBe(true);

    await release.upgrade(['webhook.failurePolicy=Fail']);
    const configuration = await kubectl.getJson(['validatingwebhookconfiguration', RELEASE]);
    expect((configuration.webhooks as { failurePolicy: string }[]).map((w) => w.failurePolicy)).toEqual(names.map(() => 'Fail'));
    const rejected = await untilAnswer(() => kubectlRun(kubectl, 'team-b', 'while-down-fail', images.root), (r) => r.code !== 0, 'failurePolicy Fail to apply');
    expect(rejected.stderr).toMatch(/failed calling webhook "[^"]+": failed to call webhook: Post "https:\/\/[^"]+\/validate\?timeout=\d+s": dial tcp [^ ]+: connect: connection refused/);
    expect(await exists(kubectl, 'team-b', 'pod/while-down-fail')).toBe(false);
  });
});
