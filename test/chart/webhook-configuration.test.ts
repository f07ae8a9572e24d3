// The ValidatingWebhookConfiguration: what the API server sends slimguard, how it reaches it,
// and what it never sends.
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChart, type Rendered } from './helm.js';

let rendered: Rendered;
beforeAll(async () => {
  rendered = await renderChart();
});

const webhookOf = (r: Rendered) => r.get('ValidatingWebhookConfiguration', 'slimguard').webhooks[0];

describe('ValidatingWebhookConfiguration (default values)', () => {
  it('is one v1 webhook without side effects, 10 s timeout and failurePolicy Ignore', () => {
    const configuration = rendered.get('ValidatingWebhookConfiguration', 'slimguard');
    expect(configuration.webhooks).toHaveLength(1);
    const webhook = webhookOf(rendered);
    expect(webhook).toMatchObject({
      name: 'validate.slimguard.io',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      timeoutSeconds: 10,
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
    });
  });

  it('judges pods (ephemeral containers included) and every pod controller on CREATE and UPDATE', () => {
    expect(webhookOf(rendered).rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'],
        scope: 'Namespaced',
      },
      {
        apiGroups: ['apps'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
        scope: 'Namespaced',
      },
      { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
    ]);
  });

  it('never sees kube-system, its own namespace or namespaces labelled slimguard.io/ignore', () => {
    expect(webhookOf(rendered).namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'slimguard'] },
        { key: 'slimguard.io/ignore', operator: 'DoesNotExist' },
      ],
    });
  });

  it("skips slimguard's own service account with a CEL matchCondition", () => {
    expect(webhookOf(rendered).matchConditions).toEqual([
      { name: 'not-slimguard-itself', expression: "request.userInfo.username != 'system:serviceaccount:slimguard:slimguard'" },
    ]);
  });

  it('calls the Service on /validate, with no caBundle until slimguard patches it (bootstrap mode)', () => {
    const webhook = webhookOf(rendered);
    expect(webhook.clientConfig).toEqual({ service: { name: 'slimguard', namespace: 'slimguard', path: '/validate', port: 443 } });
    expect(rendered.get('ValidatingWebhookConfiguration').metadata.annotations).toBeUndefined();
  });
});

describe('ValidatingWebhookConfiguration (values)', () => {
  it('calls webhook.url instead of the Service when it is set', async () => {
    const webhook = webhookOf(await renderChart({ 'webhook.url': 'https://127.0.0.1:8443/validate' }));
    expect(webhook.clientConfig).toEqual({ url: 'https://127.0.0.1:8443/validate' });
  });

  it('takes failurePolicy Fail, another timeout, more excluded namespaces and another ignore label', async () => {
    const webhook = webhookOf(
      await renderChart({
        'webhook.failurePolicy': 'Fail',
        'webhook.timeoutSeconds': 5,
        'webhook.excludeNamespaces': ['sandbox', 'kube-system'],
        'webhook.ignoreLabel': 'example.com/no-policy',
      }),
    );
    expect(webhook.failurePolicy).toBe('Fail');
    expect(webhook.timeoutSeconds).toBe(5);
    expect(webhook.namespaceSelector.matchExpressions).toEqual([
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'slimguard', 'sandbox'] },
      { key: 'example.com/no-policy', operator: 'DoesNotExist' },
    ]);
  });

  it('judges only the operations asked for', async () => {
    const webhook = webhookOf(await renderChart({ 'webhook.operations': ['CREATE'] }));
    expect(webhook.rules.map((rule: { operations: string[] }) => rule.operations)).toEqual([['CREATE'], ['CREATE'], ['CREATE']]);
  });
});
