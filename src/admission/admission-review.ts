// AdmissionReview v1 (k8s.io/api/admission/v1): the request as slimguard reads it and the
// response it answers with. Only admission.k8s.io/v1 is spoken; the webhook configuration sets
// admissionReviewVersions: ["v1"].
import { AdmissionDecodeError } from './errors.js';
import { isJsonObject, quoteShort, stringField, type JsonObject } from './json-access.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_REVIEW_KIND = 'AdmissionReview';

export const ADMISSION_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type AdmissionOperation = (typeof ADMISSION_OPERATIONS)[number];

export interface GroupVersionKind {
  /** "" for the core group (Pod, ReplicationController). */
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** The parts of AdmissionRequest slimguard uses, checked for shape. */
export interface AdmissionRequestView {
  uid: string;
  /** The type of `object` (after matchPolicy conversion): what to read the containers from. */
  kind: GroupVersionKind;
  resource?: GroupVersionResource;
  /** "" when the main resource is requested; "ephemeralcontainers", "status", "scale", ... */
  subResource: string;
  operation: AdmissionOperation;
  /** The object's name; "" on a CREATE with generateName (then metadata.name may carry it). */
  name: string;
  /** "" for cluster-scoped requests. */
  namespace: string;
  username?: string;
  /** dryRun requests get the same answer; the caller skips its side effects (none here). */
  dryRun: boolean;
  /** The new object (CREATE, UPDATE); absent for DELETE and most CONNECTs. */
  object?: JsonObject;
  /** The existing object (UPDATE, DELETE). */
  oldObject?: JsonObject;
}

export interface AdmissionStatus {
  /** metav1.Status: "Failure" with a denial (the API server would set it anyway). */
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  /** Shown by kubectl as "Warning: ..."; see warnings.ts for the API server's limits. */
  warnings?: string[];
  /** Keys are prefixed with the webhook name by the API server; see audit-annotations.ts. */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_REVIEW_KIND;
  response: AdmissionResponse;
}

/**
 * Checks that `body` (parsed JSON) is an AdmissionReview v1 request and returns its request.
 * Throws AdmissionDecodeError for anything the webhook cannot answer; the containers inside
 * `object` are not checked here (pod-containers.ts reads them leniently).
 */
export function decodeAdmissionReview(body: unknown): AdmissionRequestView {
  if (!isJsonObject(body)) {
    throw new AdmissionDecodeError('NOT_ADMISSION_REVIEW', `expected an AdmissionReview JSON object, got ${quoteShort(body)}`);
  }
  if (body['kind'] !== ADMISSION_REVIEW_KIND) {
    throw new AdmissionDecodeError('NOT_ADMISSION_REVIEW', `expected kind ${ADMISSION_REVIEW_KIND}, got ${quoteShort(body['kind'])}`);
  }
  if (body['apiVersion'] !== ADMISSION_API_VERSION) {
    throw new AdmissionDecodeError(
      'UNSUPPORTED_VERSION',
      `unsupported AdmissionReview apiVersion ${quoteShort(body['apiVersion'])}: slimguard speaks ${ADMISSION_API_VERSION} only ` +
        '(set admissionReviewVersions: ["v1"] in the webhook configuration)',
    );
  }
  const request = body['request'];
  if (!isJsonObject(request)) {
    throw new AdmissionDecodeError('MISSING_REQUEST', `AdmissionReview has no request object (request is ${quoteShort(request)})`);
  }
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') {
    throw new AdmissionDecodeError('MISSING_UID', `AdmissionReview request.uid must be a non-empty string, got ${quoteShort(uid)}`);
  }

  const invalid = (message: string): AdmissionDecodeError => new AdmissionDecodeError('INVALID_OBJECT', message, { uid });
  const kind = readGroupVersionKind(request['kind']);
  if (kind === undefined) {
    throw invalid('AdmissionReview request.kind must be an object with string group, version and kind');
  }
  const operation = request['operation'];
  if (typeof operation !== 'string' || !(ADMISSION_OPERATIONS as readonly string[]).includes(operation)) {
    throw invalid(`AdmissionReview request.operation must be one of ${ADMISSION_OPERATIONS.join(', ')}, got ${quoteShort(operation)}`);
  }
  const object = request['object'];
  const oldObject = request['oldObject'];
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isJsonObject(object)) {
    throw invalid(`AdmissionReview request.object must be an object for ${operation}, got ${quoteShort(object)}`);
  }
  if (operation === 'UPDATE' && oldObject !== undefined && oldObject !== null && !isJsonObject(oldObject)) {
    throw invalid(`AdmissionReview request.oldObject must be an object for UPDATE, got ${quoteShort(oldObject)}`);
  }

  const view: AdmissionRequestView = {
    uid,
    kind,
    subResource: stringField(request, 'subResource') ?? '',
    operation: operation as AdmissionOperation,
    name: stringField(request, 'name') ?? '',
    namespace: stringField(request, 'namespace') ?? '',
    dryRun: request['dryRun'] === true,
  };
  const resource = readGroupVersionResource(request['resource']);
  if (resource !== undefined) view.resource = resource;
  const username = stringField(isJsonObject(request['userInfo']) ? request['userInfo'] : undefined, 'username');
  if (username !== undefined) view.username = username;
  if (isJsonObject(object)) view.object = object;
  if (isJsonObject(oldObject)) view.oldObject = oldObject;
  return view;
}

function readGroupVersionKind(value: unknown): GroupVersionKind | undefined {
  if (!isJsonObject(value)) return undefined;
  // The core group is "" and may be omitted by hand-written requests (the API server sends "").
  const group = value['group'] ?? '';
  const { version, kind } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string' || kind === '') return undefined;
  return { group, version, kind };
}

function readGroupVersionResource(value: unknown): GroupVersionResource | undefined {
  if (!isJsonObject(value)) return undefined;
  const group = value['group'] ?? '';
  const { version, resource } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof resource !== 'string') return undefined;
  return { group, version, resource };
}
