// How the kubelet decides who a container runs as, and whether runAsNonRoot lets it start.
// Mirrors kubernetes pkg/kubelet/kuberuntime (getImageUser, verifyRunAsNonRoot in
// security_context_others.go), pkg/securitycontext DetermineEffectiveSecurityContext, and the
// CRI runtimes' getUserFromImage (containerd, CRI-O), so slimguard predicts what the node will do.
import type { ContainerContext } from './types.js';

/** Largest uid the kubelet accepts under runAsNonRoot (validation.IsValidUserID: 0..MaxInt32). */
export const MAX_USER_ID = 2_147_483_647;

/** What the container runtime reports for the image config's User. Exactly one of uid/name is set. */
export type ImageUser = { uid: number; name?: undefined } | { uid?: undefined; name: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only.
const GO_DECIMAL_INT = /^[+-]?\d+$/;

/**
 * The image User as the runtime reads it: the part before ":" (the group is ignored), a uid when
 * it parses as an int64, otherwise a user name. An empty User, and an empty part before ":"
 * (":1000"), report neither, which the kubelet treats as uid 0.
 */
export function parseImageUser(user: string): ImageUser {
  const userPart = user.split(':')[0] ?? '';
  if (GO_DECIMAL_INT.test(userPart)) {
    const value = BigInt(userPart);
    if (value >= INT64_MIN && value <= INT64_MAX) return { uid: Number(value) };
  }
  if (userPart === '') return { uid: 0 };
  return { name: userPart };
}

export type SettingSource = 'container' | 'pod';

export interface EffectiveUser {
  /** Where the user comes from: a securityContext runAsUser, or the image. */
  source: SettingSource | 'image';
  /** The uid when known (always for a runAsUser; for the image when User is numeric or empty). */
  uid?: number;
  /** The user name when the image User is a name. */
  name?: string;
  /** The effective runAsNonRoot (container over pod); false when neither sets it. */
  runAsNonRoot: boolean;
  runAsNonRootSource?: SettingSource;
}

/** Effective securityContext, field by field: the container's value wins over the pod's. */
export function resolveEffectiveUser(imageUser: string, context: ContainerContext): EffectiveUser {
  const container = context.containerSecurityContext ?? {};
  const pod = context.podSecurityContext ?? {};
  const runAsNonRootSource: SettingSource | undefined =
    container.runAsNonRoot !== undefined ? 'container' : pod.runAsNonRoot !== undefined ? 'pod' : undefined;
  const runAsNonRoot = (container.runAsNonRoot ?? pod.runAsNonRoot) === true;
  const base = runAsNonRootSource === undefined ? { runAsNonRoot } : { runAsNonRoot, runAsNonRootSource };

  if (container.runAsUser !== undefined) return { ...base, source: 'container', uid: container.runAsUser };
  if (pod.runAsUser !== undefined) return { ...base, source: 'pod', uid: pod.runAsUser };
  const parsed = parseImageUser(imageUser);
  return parsed.name !== undefined ? { ...base, source: 'image', name: parsed.name } : { ...base, source: 'image', uid: parsed.uid };
}

export type RunAsNonRootRefusal =
  | { reason: 'runAsUserIsRoot'; kubeletMessage: string }
  | { reason: 'imageUserIsRoot'; kubeletMessage: string }
  | { reason: 'nonNumericUser'; kubeletMessage: string }
  | { reason: 'invalidUid'; kubeletMessage: string };

/**
 * verifyRunAsNonRoot: why the kubelet would refuse to start the container, or undefined when it
 * starts. Only runAsNonRoot: true is checked; a runAsUser settles it; otherwise the image user must
 * be a numeric uid in 1..MaxInt32 (a name, even "nobody", cannot be verified without /etc/passwd).
 */
export function verifyRunAsNonRoot(user: EffectiveUser): RunAsNonRootRefusal | undefined {
  if (!user.runAsNonRoot) return undefined;
  if (user.source !== 'image') {
    return user.uid === 0
      ? { reason: 'runAsUserIsRoot', kubeletMessage: "container's runAsUser breaks non-root policy" }
      : undefined;
  }
  if (user.name !== undefined) {
    return {
      reason: 'nonNumericUser',
      kubeletMessage: `container has runAsNonRoot and image has non-numeric user (${user.name}), cannot verify user is non-root`,
    };
  }
  const uid = user.uid ?? 0;
  if (uid === 0) return { reason: 'imageUserIsRoot', kubeletMessage: 'container has runAsNonRoot and image will run as root' };
  if (uid < 0 || uid > MAX_USER_ID) {
    return {
      reason: 'invalidUid',
      kubeletMessage: `container has runAsNonRoot and image has an invalid user id (${uid}). (Must be 1-(${MAX_USER_ID}))`,
    };
  }
  return undefined;
}

/**
 * Whether the container runs as root when it does start. uid 0 is root; so is the name "root"
 * (uid 0 in every passwd file). Any other name ("nobody", "node", "app") is taken as non-root:
 * slimguard reads no image files, and base images map such names to non-zero uids. A name cannot
 * pass runAsNonRoot, which verifyRunAsNonRoot reports separately.
 */
export function runsAsRoot(user: EffectiveUser): boolean {
  return user.name !== undefined ? user.name === 'root' : user.uid === 0;
}
