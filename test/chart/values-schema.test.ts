// values.schema.json: helm refuses typos and wrong types before anything is rendered, and says
// which value is wrong. Each case is a mistake an operator makes.
import { describe, expect, it } from 'vitest';
import { helmTemplate } from './helm.js';

async function expectRejected(values: Record<string, unknown>, message: RegExp): Promise<void> {
  const run = await helmTemplate(values);
  expect(run.code, `helm template should fail for ${JSON.stringify(values)}`).not.toBe(0);
  expect(run.stderr).toMatch(/values don't meet the specifications of the schema/);
  expect(run.stderr).toMatch(message);
}

describe('values.schema.json', () => {
  it('accepts the default values and every documented mode', async () => {
    for (const values of [{}, { mode: 'audit' }, { mode: 'enforce', 'webhook.failurePolicy': 'Fail' }, { 'certificates.mode': 'certManager' }]) {
      const run = await helmTemplate(values);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });

  it('rejects a typo in a top-level key', async () => {
    await expectRejected({ replicas: 3 }, /additional properties 'replicas' not allowed/);
  });

  it('rejects a typo in a nested key', async () => {
    await expectRejected({ 'webhook.timeoutSecond': 5 }, /additional properties 'timeoutSecond' not allowed/);
    await expectRejected({ 'policy.rules.sizeBudget.maxCompresedSize': '300Mi' }, /additional properties 'maxCompresedSize' not allowed/);
  });

  it('rejects mode inside policy: it is the top-level value', async () => {
    await expectRejected({ 'policy.mode': 'enforce' }, /additional properties 'mode' not allowed/);
  });

  it('rejects values outside the enums', async () => {
    await expectRejected({ mode: 'deny' }, /mode.*(value must be one of|enum)/s);
    await expectRejected({ 'webhook.failurePolicy': 'fail' }, /failurePolicy.*(value must be one of|enum)/s);
    await expectRejected({ 'certificates.mode': 'certmanager' }, /mode.*(value must be one of|enum)/s);
  });

  it('rejects wrong types', async () => {
    await expectRejected({ replicaCount: 'two' }, /replicaCount.*got string, want integer/s);
    await expectRejected({ 'pullSecrets.enabled': 'yes' }, /enabled.*got string, want boolean/s);
    await expectRejected({ 'registry.insecureRegistries': 'mirror:5000' }, /insecureRegistries.*got string, want array/s);
  });

  it('rejects a timeout the API server would refuse and a url that is not https', async () => {
    await expectRejected({ 'webhook.timeoutSeconds': 31 }, /timeoutSeconds.*(maximum|must be <=)/s);
    await expectRejected({ 'webhook.url': 'http://127.0.0.1:8443/validate' }, /url.*(does not match pattern|pattern)/s);
  });

  it('requires caBundle in secret mode', async () => {
    await expectRejected({ 'certificates.mode': 'secret' }, /caBundle/);
  });
});
