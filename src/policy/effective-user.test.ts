import { describe, expect, it } from 'vitest';
import { parseImageUser, resolveEffectiveUser, runsAsRoot, verifyRunAsNonRoot, type EffectiveUser } from './effective-user.js';
import type { ContainerContext } from './types.js';

describe('parseImageUser (the CRI runtimes getUserFromImage + kubelet getImageUser)', () => {
  it.each([
    ['', { uid: 0 }], // no User: the kubelet treats it as root
    ['0', { uid: 0 }],
    ['0:0', { uid: 0 }],
    ['root', { name: 'root' }], // a name, even root: the kubelet does not resolve it
    ['root:root', { name: 'root' }],
    ['1000', { uid: 1000 }],
    ['65532:65532', { uid: 65532 }],
    ['1000:abc', { uid: 1000 }], // the group is ignored
    ['abc:1000', { name: 'abc' }],
    ['nobody', { name: 'nobody' }],
    [':1000', { uid: 0 }], // empty user part: neither uid nor name reported -> root
    ['+42', { uid: 42 }], // strconv.ParseInt accepts a sign
    ['-1', { uid: -1 }],
    ['2147483648', { uid: 2147483648 }],
    ['99999999999999999999', { name: '99999999999999999999' }], // out of int64: ParseInt fails -> a name
    ['1_000', { name: '1_000' }], // underscores only parse with base 0
    ['0x10', { name: '0x10' }],
  ] as const)('User %j -> %j', (user, expected) => {
    expect(parseImageUser(user)).toEqual(expected);
  });
});

describe('resolveEffectiveUser (DetermineEffectiveSecurityContext)', () => {
  it.each<[string, string, ContainerContext, Partial<EffectiveUser>]>([
    ['image user when nothing is set', '1000', {}, { source: 'image', uid: 1000, runAsNonRoot: false }],
    ['pod runAsUser over the image', '', { podSecurityContext: { runAsUser: 1001 } }, { source: 'pod', uid: 1001 }],
    [
      'container runAsUser over pod and image',
      'root',
      { podSecurityContext: { runAsUser: 1001 }, containerSecurityContext: { runAsUser: 2002 } },
      { source: 'container', uid: 2002 },
    ],
    ['container runAsUser 0 over a non-root image', '65532', { containerSecurityContext: { runAsUser: 0 } }, { source: 'container', uid: 0 }],
    ['pod runAsNonRoot', 'app', { podSecurityContext: { runAsNonRoot: true } }, { source: 'image', name: 'app', runAsNonRoot: true, runAsNonRootSource: 'pod' }],
    [
      'container runAsNonRoot false over pod true',
      'app',
      { podSecurityContext: { runAsNonRoot: true }, containerSecurityContext: { runAsNonRoot: false } },
      { runAsNonRoot: false, runAsNonRootSource: 'container' },
    ],
    [
      'runAsNonRoot and runAsUser come from different levels',
      '',
      { podSecurityContext: { runAsNonRoot: true }, containerSecurityContext: { runAsUser: 1000 } },
      { source: 'container', uid: 1000, runAsNonRoot: true, runAsNonRootSource: 'pod' },
    ],
  ])('%s', (_name, imageUser, context, expected) => {
    expect(resolveEffectiveUser(imageUser, context)).toMatchObject(expected);
  });
});

describe('verifyRunAsNonRoot (kubelet security_context_others.go)', () => {
  const nonRoot = (imageUser: string, context: ContainerContext = {}) =>
    verifyRunAsNonRoot(resolveEffectiveUser(imageUser, { ...context, podSecurityContext: { runAsNonRoot: true, ...context.podSecurityContext } }));

  it.each<[string, string, ContainerContext, string | undefined]>([
    ['numeric non-root image user starts', '65532', {}, undefined],
    ['uid with a group name starts', '1000:abc', {}, undefined],
    ['empty user is root', '', {}, 'imageUserIsRoot'],
    ['uid 0 is root', '0', {}, 'imageUserIsRoot'],
    ['a name cannot be verified', 'nobody', {}, 'nonNumericUser'],
    ['"root" is a name too', 'root', {}, 'nonNumericUser'],
    ['name with numeric group cannot be verified', 'app:1000', {}, 'nonNumericUser'],
    ['negative uid is invalid', '-1', {}, 'invalidUid'],
    ['uid above MaxInt32 is invalid', '2147483648', {}, 'invalidUid'],
    ['uid MaxInt32 is fine', '2147483647', {}, undefined],
    ['runAsUser overrides a named image user', 'app', { containerSecurityContext: { runAsUser: 1000 } }, undefined],
    ['runAsUser overrides a root image', '', { podSecurityContext: { runAsUser: 1000 } }, undefined],
    ['runAsUser 0 breaks the policy', '65532', { containerSecurityContext: { runAsUser: 0 } }, 'runAsUserIsRoot'],
  ])('%s', (_name, imageUser, context, reason) => {
    expect(nonRoot(imageUser, context)?.reason).toBe(reason);
  });

  it('checks nothing without runAsNonRoot', () => {
    expect(verifyRunAsNonRoot(resolveEffectiveUser('', {}))).toBeUndefined();
    expect(verifyRunAsNonRoot(resolveEffectiveUser('app', { containerSecurityContext: { runAsNonRoot: false } }))).toBeUndefined();
  });

  it('quotes the kubelet message', () => {
    expect(nonRoot('app')?.kubeletMessage).toBe('container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root');
  });
});

describe('runsAsRoot', () => {
  it.each([
    ['', true],
    ['0', true],
    ['0:1000', true],
    ['root', true],
    ['root:wheel', true],
    ['1000', false],
    ['nobody', false],
    ['node', false],
    ['ROOT', false], // names are case-sensitive
  ])('image User %j -> %s', (user, expected) => {
    expect(runsAsRoot(resolveEffectiveUser(user, {}))).toBe(expected);
  });
});
