import { describe, expect, it } from 'vitest';
import { buildFacts, distrolessNonrootFacts, nginxFacts, nodeAppFacts, windowsNanoserverFacts } from './facts-fixture.js';
import { familiarReference } from './image-names.js';
import { testPolicy } from './policy-fixture.js';
import type { ActiveMode } from './rule.js';
import { runAsRootRule } from './run-as-root.js';
import type { ContainerContext, PolicyFacts } from './types.js';

function check(facts: PolicyFacts, context: ContainerContext = {}, mode: ActiveMode = 'enforce') {
  return runAsRootRule.check({ facts, context, policy: testPolicy(), mode, image: familiarReference(facts.reference) });
}

const withUser = (user: string) => buildFacts({ reference: 'docker.io/acme/api:1.4', user });
const nonRootPod: ContainerContext = { podSecurityContext: { runAsNonRoot: true } };

describe('runAsRoot', () => {
  it.each<[string, PolicyFacts, ContainerContext, RegExp | undefined]>([
    // image user alone
    ['no USER is root', nginxFacts(), {}, /^\[runAsRoot\] nginx:1\.27 runs as root \(no USER set\); use USER 65532 or runAsUser: 65532$/],
    ['USER 0 is root', withUser('0'), {}, /runs as root \(USER 0\)/],
    ['USER 0:0 is root', withUser('0:0'), {}, /runs as root \(USER 0:0\)/],
    ['USER root is root', withUser('root'), {}, /runs as root \(USER root\)/],
    ['USER root:root is root', withUser('root:root'), {}, /runs as root \(USER root\)/],
    ['USER :1000 is root (empty user part)', withUser(':1000'), {}, /runs as root \(no USER set\)/],
    ['numeric non-root USER passes', distrolessNonrootFacts(), {}, undefined],
    ['uid:gid passes', withUser('1000:1000'), {}, undefined],
    ['uid with group name passes', withUser('1000:abc'), {}, undefined],
    // a name without runAsNonRoot: assumed non-root (documented in effective-user.ts)
    ['named user "node" passes without runAsNonRoot', nodeAppFacts(), {}, undefined],
    ['named user "nobody" passes without runAsNonRoot', withUser('nobody'), {}, undefined],
    // securityContext overrides
    ['pod runAsUser fixes a root image', nginxFacts(), { podSecurityContext: { runAsUser: 101 } }, undefined],
    ['container runAsUser fixes a root image', nginxFacts(), { containerSecurityContext: { runAsUser: 101 } }, undefined],
    ['container runAsUser 0 makes a non-root image root', distrolessNonrootFacts(), { containerSecurityContext: { runAsUser: 0 } }, /runs as root: container runAsUser is 0; set a non-zero runAsUser$/],
    ['pod runAsUser 0 makes a non-root image root', distrolessNonrootFacts(), { podSecurityContext: { runAsUser: 0 } }, /runs as root: pod runAsUser is 0/],
    ['container runAsUser wins over pod runAsUser 0', nginxFacts(), { podSecurityContext: { runAsUser: 0 }, containerSecurityContext: { runAsUser: 1000 } }, undefined],
    // runAsNonRoot: what the kubelet would refuse
    ['runAsNonRoot with a named user: kubelet cannot verify', nodeAppFacts(), nonRootPod, /storefront:7\.2\.0 won't start: runAsNonRoot can't verify named USER "node"; use USER 65532/],
    ['runAsNonRoot with USER root', withUser('root'), nonRootPod, /won't start: runAsNonRoot forbids root \(USER root\); use USER 65532/],
    ['runAsNonRoot with no USER', nginxFacts(), nonRootPod, /won't start: runAsNonRoot forbids root \(no USER set\); use USER 65532/],
    ['runAsNonRoot with an invalid uid', withUser('-1'), nonRootPod, /won't start: USER -1 is an invalid uid for runAsNonRoot; use USER 65532/],
    ['runAsNonRoot with a numeric user passes', distrolessNonrootFacts(), nonRootPod, undefined],
    ['runAsNonRoot with a named user and runAsUser passes', nodeAppFacts(), { ...nonRootPod, containerSecurityContext: { runAsUser: 1000 } }, undefined],
    ['runAsNonRoot with runAsUser 0', distrolessNonrootFacts(), { containerSecurityContext: { runAsNonRoot: true, runAsUser: 0 } }, /won't start: runAsUser 0 breaks runAsNonRoot; set a non-zero runAsUser$/],
    ['container runAsNonRoot false beats pod true', nodeAppFacts(), { ...nonRootPod, containerSecurityContext: { runAsNonRoot: false } }, undefined],
  ])('%s', (_name, facts, context, expected) => {
    const result = check(facts, context);
    if (expected === undefined) {
      expect(result.violation).toBeUndefined();
    } else {
      expect(result.violation?.message).toMatch(expected);
      expect(result.violation?.message.startsWith('[runAsRoot] ')).toBe(true);
      expect(result.violation?.rule).toBe('runAsRoot');
    }
  });

  it('keeps messages under 120 characters for ordinary names', () => {
    const cases: [PolicyFacts, ContainerContext][] = [
      [nginxFacts(), {}],
      [withUser('root'), {}],
      [withUser('node'), nonRootPod],
      [withUser('-1'), nonRootPod],
      [distrolessNonrootFacts(), { containerSecurityContext: { runAsUser: 0 } }],
      [nginxFacts(), nonRootPod],
    ];
    for (const [facts, context] of cases) {
      const message = check(facts, context).violation?.message ?? '';
      expect(message.length, message).toBeGreaterThan(0);
      expect(message.length, message).toBeLessThan(120);
    }
  });

  it('uses the mode it is given', () => {
    expect(check(nginxFacts(), {}, 'audit').violation?.mode).toBe('audit');
    expect(check(nginxFacts(), {}, 'warn').violation?.mode).toBe('warn');
  });

  it('gives evidence: the image User, the securityContext and the kubelet error', () => {
    const evidence = check(nodeAppFacts(), nonRootPod).violation?.evidence;
    expect(evidence).toEqual([
      { signal: 'config.user', detail: 'User="node"' },
      { signal: 'securityContext', detail: 'pod runAsNonRoot=true' },
      { signal: 'kubelet', detail: 'container has runAsNonRoot and image has non-numeric user (node), cannot verify user is non-root' },
    ]);
    expect(check(distrolessNonrootFacts(), { containerSecurityContext: { runAsUser: 0 } }).violation?.evidence).toContainEqual({
      signal: 'securityContext',
      detail: 'container runAsUser=0 (overrides the image User)',
    });
    expect(check(nginxFacts()).violation?.evidence[0]?.detail).toMatch(/User is empty/);
  });

  it('skips Windows images with a note', () => {
    const result = check(windowsNanoserverFacts(), nonRootPod);
    expect(result.violation).toBeUndefined();
    expect(result.notes).toEqual(['[runAsRoot] skipped for mcr.microsoft.com/windows/nanoserver:ltsc2022: Windows images are out of scope']);
  });
});
