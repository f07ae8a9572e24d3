import {
  AdmissionregistrationV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeKubeError, KubeError, statusCodeOf } from './errors.js';

export interface PatchWebhookCaBundleOptions {
  kubeConfig: KubeConfig;
  /** The ValidatingWebhookConfiguration's name. */
  name: string;
  /** The CA certificate(s) the API server must trust for the webhook, PEM. */
  caBundlePem: string;
  logger?: Logger | undefined;
}

export interface PatchWebhookCaBundleResult {
  /** How many webhook entries the configuration has (all of them carry the bundle afterwards). */
  webhooks: number;
  /** false when every entry already had exactly this bundle and nothing was written. */
  changed: boolean;
}

export type JsonPatchOperation =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown };

const MAX_ATTEMPTS = 3;

/**
 * Sets clientConfig.caBundle of every webhook entry of a ValidatingWebhookConfiguration.
 *
 * A JSON patch (RFC 6902) rather than a merge: `webhooks` is a list, which a merge patch would
 * replace whole and a strategic merge patch only merges by name. The patch tests each entry's name
 * at its index, so a concurrent edit that reorders or removes entries makes it fail (422) instead
 * of writing a bundle into the wrong entry; it is then read and patched again.
 */
export async function patchWebhookCaBundle(options: PatchWebhookCaBundleOptions): Promise<PatchWebhookCaBundleResult> {
  const caBundle = encodeCaBundle(options.caBundlePem);
  const api = options.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

  for (let attempt = 1; ; attempt++) {
    let configuration: V1ValidatingWebhookConfiguration;
    try {
      configuration = await api.readValidatingWebhookConfiguration({ name: options.name });
    } catch (error) {
      throw apiError(error, `cannot read ValidatingWebhookConfiguration ${options.name}`);
    }
    const operations = caBundlePatch(configuration, caBundle);
    const webhooks = configuration.webhooks?.length ?? 0;
    if (operations.length === 0) return { webhooks, changed: false };
    try {
      await api.patchValidatingWebhookConfiguration({ name: options.name, body: operations }, jsonPatch);
      options.logger?.info({ webhookConfiguration: options.name, webhooks }, 'caBundle of the webhook configuration updated');
      return { webhooks, changed: true };
    } catch (error) {
      const status = statusCodeOf(error);
      // 422: a `test` failed (the entries changed since the read); 409: a conflicting write.
      if ((status === 422 || status === 409) && attempt < MAX_ATTEMPTS) {
        options.logger?.debug({ webhookConfiguration: options.name, attempt, error: describeKubeError(error) }, 'caBundle patch raced; retrying');
        continue;
      }
      throw apiError(error, `cannot patch the caBundle of ValidatingWebhookConfiguration ${options.name}`);
    }
  }
}

/**
 * The JSON patch that gives every webhook entry `caBundle` (base64 of the PEM, as the API's
 * []byte field is written in JSON); empty when every entry already has it.
 */
export function caBundlePatch(configuration: V1ValidatingWebhookConfiguration, caBundleBase64: string): JsonPatchOperation[] {
  const webhooks = configuration.webhooks ?? [];
  if (webhooks.every((webhook) => webhook.clientConfig?.caBundle === caBundleBase64)) return [];
  return webhooks.flatMap((webhook, index): JsonPatchOperation[] => [
    { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
    // "add" sets a member whether or not it exists ("replace" fails when caBundle is absent).
    { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundleBase64 },
  ]);
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/**
 * The caBundle field value: base64 of the PEM certificates, normalized to just the CERTIFICATE
 * blocks. A private key in the input is refused rather than stripped: whatever produced it is
 * confused, and a key must never end up in a cluster-readable object.
 */
export function encodeCaBundle(caBundlePem: string): string {
  if (/PRIVATE KEY-----/.test(caBundlePem)) {
    throw new KubeError('INVALID_CA_BUNDLE', 'the CA bundle contains a private key; give only the CA certificate(s)');
  }
  const blocks = caBundlePem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw new KubeError('INVALID_CA_BUNDLE', 'the CA bundle holds no PEM certificate');
  const pem = blocks.map((block) => block.replace(/\r\n/g, '\n')).join('\n') + '\n';
  return Buffer.from(pem, 'utf8').toString('base64');
}

function apiError(error: unknown, what: string): KubeError {
  const statusCode = statusCodeOf(error);
  const code = statusCode === 404 ? 'WEBHOOK_CONFIGURATION_NOT_FOUND' : 'KUBE_API';
  return new KubeError(code, `${what}: ${describeKubeError(error)}`, {
    cause: error,
    ...(statusCode === undefined ? {} : { statusCode }),
  });
}
