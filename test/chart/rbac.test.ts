// RBAC is least privilege per mode: each rule below is asserted exactly, so a new permission
// has to be added here on purpose.
import { describe, expect, it } from 'vitest';
import { renderChart, type Rendered } from './helm.js';

const NAMESPACES_AND_NODES = { apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['list', 'watch'] };
const OWN_WEBHOOK = {
  apiGroups: ['admissionregistration.k8s.io'],
  resources: ['validatingwebhookconfigurations'],
  resourceNames: ['slimguard'],
  verbs: ['get', 'watch', 'patch'],
};
const PULL_SECRETS = { apiGroups: [''], resources: ['serviceaccounts', 'secrets'], verbs: ['list', 'watch'] };
const OWN_SECRET = [
  { apiGroups: [''], resources: ['secrets'], resourceNames: ['slimguard-tls'], verbs: ['get', 'watch', 'update'] },
  // RBAC cannot restrict create by name (values.yaml and templates/rbac.yaml say why).
  { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
];

function rbacOf(rendered: Rendered) {
  return {
    clusterRole: rendered.get('ClusterRole', 'slimguard').rules,
    role: rendered.has('Role') ? rendered.get('Role', 'slimguard-certificates').rules : undefined,
  };
}

describe('RBAC', () => {
  it('bootstrap (default): namespaces and nodes, its own webhook configuration, its own Secret', async () => {
    const rendered = await renderChart();
    expect(rbacOf(rendered)).toEqual({ clusterRole: [NAMESPACES_AND_NODES, OWN_WEBHOOK], role: OWN_SECRET });
    expect(rendered.get('Role').metadata.namespace).toBe('slimguard');
    for (const binding of [rendered.get('ClusterRoleBinding', 'slimguard'), rendered.get('RoleBinding', 'slimguard-certificates')]) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'slimguard', namespace: 'slimguard' }]);
    }
    expect(rendered.get('ClusterRoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'slimguard' });
    expect(rendered.get('RoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'slimguard-certificates' });
  });

  it('bootstrap with pull secrets: adds list/watch of service accounts and secrets, nothing else', async () => {
    expect(rbacOf(await renderChart({ 'pullSecrets.enabled': true }))).toEqual({
      clusterRole: [NAMESPACES_AND_NODES, PULL_SECRETS, OWN_WEBHOOK],
      role: OWN_SECRET,
    });
  });

  it('certManager and secret modes: no Secret or webhook-configuration access at all', async () => {
    for (const values of [{ 'certificates.mode': 'certManager' }, { 'certificates.mode': 'secret', 'certificates.caBundle': 'Y2E=' }]) {
      const rendered = await renderChart(values);
      expect(rbacOf(rendered)).toEqual({ clusterRole: [NAMESPACES_AND_NODES], role: undefined });
      expect(rendered.has('RoleBinding')).toBe(false);
    }
  });

  it('the bootstrap Secret name follows certificates.secretName', async () => {
    const { role } = rbacOf(await renderChart({ 'certificates.secretName': 'webhook-pair' }));
    expect(role?.[0].resourceNames).toEqual(['webhook-pair']);
  });

  it('rbac.create=false renders no RBAC objects', async () => {
    const rendered = await renderChart({ 'rbac.create': false });
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) expect(rendered.has(kind)).toBe(false);
  });
});
