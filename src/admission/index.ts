// AdmissionReview v1 in and out, pure (no I/O): decode the request, list the containers of a Pod
// or pod controller, and build the answer (deny message, warnings within the API server's limits,
// audit annotations). The webhook (src/webhook) fetches facts and evaluates in between.
export { AdmissionDecodeError, type AdmissionDecodeErrorCode } from './errors.js';
export {
  ADMISSION_API_VERSION,
  ADMISSION_OPERATIONS,
  ADMISSION_REVIEW_KIND,
  decodeAdmissionReview,
  type AdmissionOperation,
  type AdmissionRequestView,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type AdmissionStatus,
  type GroupVersionKind,
  type GroupVersionResource,
} from './admission-review.js';
export {
  EPHEMERAL_CONTAINERS_SUBRESOURCE,
  findWorkloadKind,
  formatGroupKind,
  WORKLOAD_KIND_NAMES,
  WORKLOAD_KINDS,
  type WorkloadKind,
  type WorkloadKindName,
} from './workload-kinds.js';
export {
  CONTAINER_TYPES,
  DEFAULT_SERVICE_ACCOUNT,
  NODE_ARCH_LABEL,
  NODE_OS_LABEL,
  readPodTemplateContainers,
  type ContainerRef,
  type ContainerType,
  type InvalidContainer,
  type PlatformSelector,
  type PodTemplateContainers,
} from './pod-containers.js';
export { formatWorkload, listContainers, type ContainerListing, type SkipReason, type WorkloadRef } from './list-containers.js';
export { unchangedPodTemplate } from './unchanged-pod-template.js';
export { mergeSecurityContexts, readSecurityContext } from './security-context.js';
export { describeContainers, type ContainerIdentity } from './container-labels.js';
export { formatDenyMessage, type DenyReason } from './deny-message.js';
export {
  allowResponse,
  buildAdmissionResponse,
  denyResponse,
  errorResponse,
  workloadDecision,
  type AdmissionResponseInput,
  type ContainerResult,
  type DenyOptions,
  type RegistryFailure,
} from './response-builder.js';
export {
  ELLIPSIS,
  limitWarnings,
  sanitizeText,
  truncateText,
  WARNING_MAX_CHARS,
  WARNINGS_MAX_TOTAL_BYTES,
  type WarningLimits,
} from './warnings.js';
export {
  AUDIT_ANNOTATION_KEYS,
  AUDIT_ANNOTATIONS_MAX_BYTES,
  buildAuditAnnotations,
  isValidAuditAnnotationKey,
  type AuditAnnotationsInput,
  type AuditRegistryFailure,
  type AuditViolation,
} from './audit-annotations.js';
