// `slimguard validate -f PATH|-`: the webhook's judgement on manifests before they reach a cluster.
// Each object is wrapped in the AdmissionReview the API server would send and goes through the
// webhook's own functions (decodeAdmissionReview, listContainers, platformForContainer,
// judgeImage), so what validate says is what admission will say.
import { randomUUID } from 'node:crypto';
import {
  ADMISSION_API_VERSION,
  ADMISSION_REVIEW_KIND,
  decodeAdmissionReview,
  formatWorkload,
  listContainers,
  type ContainerRef,
} from '../admission/index.js';
import { defaultPolicy } from '../config/default-policy.js';
import { loadPolicyFile } from '../config/load-policy.js';
import { createImageSource } from '../image-facts/create-image-source.js';
import type { ImageSource } from '../image-facts/image-source.js';
import { judgeImage } from '../judge/judge-image.js';
import type { Platform } from '../oci/types.js';
import { NAMESPACE_MODE_LABEL } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { ContainerContext } from '../policy/types.js';
import { platformForContainer } from '../webhook/platforms.js';
import type { CheckResult } from './check-report.js';
import { toSarifForValidate } from './format-sarif.js';
import { mapConcurrent } from './map-concurrent.js';
import { createCliKeychain } from './cli-keychain.js';
import { readManifests, type ManifestObject, type ManifestSet, type ObjectPath } from './read-manifests.js';
import { formatValidateText, toValidateJson, validateExitCode, type ValidateProblem, type ValidateReport, type ValidateResult } from './validate-report.js';

/** The namespace of an object that names none, as `kubectl apply` without `-n` would use. */
export const DEFAULT_NAMESPACE = 'default';

export interface ValidateOptions {
  manifests: ManifestSet;
  source: ImageSource;
  policy: Policy;
  /** Judge this platform of every image; default: the container's nodeSelector, else the policy's first platform (as the webhook does without cluster nodes). */
  platform?: Platform;
  /** The namespace every object is judged in; default its metadata.namespace, else "default". */
  namespace?: string;
  /** The labels the namespace would have in the cluster (slimguard.io/mode overrides every rule's mode). */
  namespaceLabels?: Record<string, string>;
  /** Images fetched at once. Each unique reference is fetched once however often it appears: the image source's cache and single-flight share one lookup. */
  concurrency?: number;
  /** Per-image deadline. */
  timeoutMs?: number;
}

interface Job {
  result: Omit<ValidateResult, 'check'>;
  container: ContainerRef;
}

/** Lists the containers of every object the way the webhook does and judges them with bounded concurrency. */
export async function runValidate(options: ValidateOptions): Promise<ValidateReport> {
  const report: ValidateReport = { workloads: 0, results: [], skipped: [], problems: [...options.manifests.problems] };
  const jobs: Job[] = [];
  const modeOff = options.namespaceLabels?.[NAMESPACE_MODE_LABEL] === 'off';

  for (const manifest of options.manifests.objects) {
    const namespace = options.namespace ?? (nonEmptyString(metadataOf(manifest.object)['namespace']) ?? DEFAULT_NAMESPACE);
    let listing: ReturnType<typeof listContainers>;
    try {
      listing = listContainers(decodeAdmissionReview(admissionReviewFor(manifest.object, namespace)));
    } catch (error) {
      report.problems.push(problemAt(manifest, manifest.line, 'INVALID_OBJECT', (error as Error).message));
      continue;
    }
    const apiVersion = String(manifest.object['apiVersion']);
    const identity = { file: manifest.file, line: manifest.line, apiVersion, kind: listing.workload.kind, namespace: listing.workload.namespace, name: listing.workload.name };
    if (listing.action === 'skip') {
      report.skipped.push({ ...identity, reason: listing.reason, message: listing.message });
      continue;
    }
    // Like the webhook: a namespace switched off costs no registry request at all.
    if (modeOff) {
      report.skipped.push({ ...identity, reason: 'namespaceModeOff', message: `namespace label ${NAMESPACE_MODE_LABEL}=off: not judged` });
      continue;
    }
    report.workloads += 1;
    for (const invalid of listing.invalid) {
      const line = manifest.lineOf(parseFieldPath(invalid.fieldPath)) ?? manifest.line;
      const which = invalid.name === undefined ? '' : ` (${invalid.type ?? 'container'} ${JSON.stringify(invalid.name)})`;
      report.problems.push(problemAt(manifest, line, 'INVALID_CONTAINER', `${formatWorkload(listing.workload)} ${invalid.fieldPath}${which}: ${invalid.reason}`));
    }
    for (const container of listing.containers) {
      const line = manifest.lineOf([...parseFieldPath(container.fieldPath), 'image']) ?? manifest.line;
      jobs.push({
        container,
        result: { file: manifest.file, line, workload: listing.workload, container: { name: container.name, type: container.type, fieldPath: container.fieldPath } },
      });
    }
  }

  const timeoutMs = options.timeoutMs ?? 60_000;
  const checks = await mapConcurrent(jobs, options.concurrency ?? 8, (job) => judgeContainer(job.container, options, timeoutMs));
  report.results = jobs.map((job, index) => ({ ...job.result, check: checks[index]! }));
  return report;
}

async function judgeContainer(container: ContainerRef, options: ValidateOptions, timeoutMs: number): Promise<CheckResult> {
  const image = container.image;
  const context: ContainerContext = { ...container.context };
  if (options.namespaceLabels !== undefined) context.namespaceLabels = options.namespaceLabels;
  try {
    const judgement = await judgeImage({
      source: options.source,
      policy: options.policy,
      reference: image,
      // No cluster to ask for node platforms: the pod's nodeSelector, then the policy's platforms.
      platform: options.platform ?? platformForContainer(container.nodeSelector, [], options.policy.platforms),
      context,
      signal: AbortSignal.timeout(timeoutMs),
      deadline: Date.now() + timeoutMs,
    });
    return { image, judgement };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return { image, error: { code: typeof code === 'string' ? code : 'INTERNAL', message: message.startsWith(image) ? message : `${image}: ${message}` } };
  }
}

/** The AdmissionReview v1 the API server would send for `kubectl create` of this object in `namespace`. */
export function admissionReviewFor(object: Record<string, unknown>, namespace: string): unknown {
  const apiVersion = String(object['apiVersion']);
  const slash = apiVersion.lastIndexOf('/');
  const metadata = metadataOf(object);
  const review = {
    apiVersion: ADMISSION_API_VERSION,
    kind: ADMISSION_REVIEW_KIND,
    request: {
      uid: randomUUID(),
      kind: { group: slash === -1 ? '' : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: object['kind'] },
      subResource: '',
      name: nonEmptyString(metadata['name']) ?? '',
      namespace,
      operation: 'CREATE',
      dryRun: true,
      // The API server sets metadata.namespace to the request's namespace before admission.
      object: { ...object, metadata: { ...metadata, namespace } },
    },
  };
  // Through JSON like a webhook body: YAML timestamps become strings, anything else non-JSON drops out.
  return JSON.parse(JSON.stringify(review)) as unknown;
}

/** "spec.template.spec.containers[0]" -> ['spec', 'template', 'spec', 'containers', 0]. */
export function parseFieldPath(fieldPath: string): ObjectPath {
  const path: (string | number)[] = [];
  for (const segment of fieldPath.split('.')) {
    if (segment === '') continue;
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) {
      path.push(segment);
      continue;
    }
    if (match[1] !== '') path.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  return path;
}

/** `k=v,k2=v2` (the flag may repeat) -> labels; a key needs a name, a value may be empty. */
export function parseNamespaceLabels(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const labels = { ...previous };
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const key = equals === -1 ? '' : pair.slice(0, equals).trim();
    if (key === '') throw new Error(`expected key=value in --namespace-labels, got ${JSON.stringify(pair)}`);
    labels[key] = pair.slice(equals + 1).trim();
  }
  return labels;
}

export interface ValidateCommandOptions {
  filename: string[];
  policy?: string;
  platform?: Platform;
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  insecureRegistry?: string[];
  allowPrivateNetworks?: boolean;
  output?: 'text' | 'json' | 'sarif';
  concurrency?: number;
  /** Docker config JSON asked before ~/.docker/config.json (as for check). */
  registryAuthFile?: string;
}

/** The command as main.ts runs it: read, judge, print; returns the exit code. */
export async function validateCommand(options: ValidateCommandOptions, io: { write?: (text: string) => void; readStdin?: () => Promise<string> } = {}): Promise<number> {
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  const policy = options.policy ? await loadPolicyFile(options.policy) : defaultPolicy;
  const manifests = await readManifests(options.filename, io.readStdin ? { readStdin: io.readStdin } : {});
  const source = createImageSource({
    insecureRegistries: options.insecureRegistry ?? [],
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    keychain: await createCliKeychain({ registryAuthFile: options.registryAuthFile }),
  });
  try {
    const report = await runValidate({
      manifests,
      source,
      policy,
      ...(options.platform ? { platform: options.platform } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.namespaceLabels ? { namespaceLabels: options.namespaceLabels } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    if (options.output === 'json') write(`${JSON.stringify(toValidateJson(report), null, 2)}\n`);
    else if (options.output === 'sarif') write(`${JSON.stringify(toSarifForValidate(report), null, 2)}\n`);
    else write(formatValidateText(report));
    return validateExitCode(report);
  } finally {
    await source.close();
  }
}

function problemAt(manifest: ManifestObject, line: number, code: string, reason: string): ValidateProblem {
  return { code, file: manifest.file, line, message: `${manifest.file}:${line}: ${reason}` };
}

function metadataOf(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = object['metadata'];
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : {};
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
