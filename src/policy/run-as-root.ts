import { resolveEffectiveUser, runsAsRoot, verifyRunAsNonRoot, type EffectiveUser } from './effective-user.js';
import type { Rule, RuleInput, RuleResult } from './rule.js';
import type { Evidence } from './types.js';

/** The uid distroless and Chainguard images use for "nonroot": a safe default to suggest. */
const SUGGESTED_UID = 65532;
const FIX = `use USER ${SUGGESTED_UID} or runAsUser: ${SUGGESTED_UID}`;

/**
 * runAsRoot: the container would run as uid 0, or the kubelet would refuse to start it because
 * runAsNonRoot cannot be satisfied (reported at admission rather than as CreateContainerConfigError).
 * Windows images are out of scope: their users are not uids.
 */
export const runAsRootRule: Rule = {
  id: 'runAsRoot',
  check({ facts, context, mode, image }: RuleInput): RuleResult {
    if (facts.platform.os === 'windows') {
      return { notes: [`[runAsRoot] skipped for ${image}: Windows images are out of scope`] };
    }
    const user = resolveEffectiveUser(facts.user, context);
    const evidence = describe(facts.user, user);
    const refusal = verifyRunAsNonRoot(user);
    const who = userPhrase(facts.user, user);

    let message: string | undefined;
    if (refusal !== undefined) {
      evidence.push({ signal: 'kubelet', detail: refusal.kubeletMessage });
      // The kubelet would fail the container with CreateContainerConfigError: say so at admission.
      switch (refusal.reason) {
        case 'runAsUserIsRoot':
          message = `${image} won't start: runAsUser 0 breaks runAsNonRoot; set a non-zero runAsUser`;
          break;
        case 'imageUserIsRoot':
          message = `${image} won't start: runAsNonRoot forbids root (${who}); ${FIX}`;
          break;
        case 'nonNumericUser':
          message =
            user.name === 'root'
              ? `${image} won't start: runAsNonRoot forbids root (USER root); ${FIX}`
              : `${image} won't start: runAsNonRoot can't verify named USER ${JSON.stringify(user.name)}; ${FIX}`;
          break;
        case 'invalidUid':
          message = `${image} won't start: USER ${user.uid} is an invalid uid for runAsNonRoot; ${FIX}`;
          break;
      }
    } else if (runsAsRoot(user)) {
      message =
        user.source === 'image'
          ? `${image} runs as root (${who}); ${FIX}`
          : `${image} runs as root: ${user.source} runAsUser is 0; set a non-zero runAsUser`;
    }
    if (message === undefined) return {};
    return { violation: { rule: 'runAsRoot', mode, message: `[runAsRoot] ${message}`, evidence } };
  },
};

function userPhrase(imageUser: string, user: EffectiveUser): string {
  if (imageUser === '' || imageUser.startsWith(':')) return 'no USER set';
  return user.name !== undefined ? `USER ${user.name}` : `USER ${imageUser}`;
}

function describe(imageUser: string, user: EffectiveUser): Evidence[] {
  const evidence: Evidence[] = [
    { signal: 'config.user', detail: imageUser === '' ? 'User is empty: the image runs as root (uid 0)' : `User=${JSON.stringify(imageUser)}` },
  ];
  if (user.source !== 'image') {
    evidence.push({ signal: 'securityContext', detail: `${user.source} runAsUser=${user.uid} (overrides the image User)` });
  }
  if (user.runAsNonRootSource !== undefined) {
    evidence.push({ signal: 'securityContext', detail: `${user.runAsNonRootSource} runAsNonRoot=${user.runAsNonRoot}` });
  }
  return evidence;
}
