import { describe, expect, it } from 'vitest';
import type { Credential, Keychain } from './keychain.js';
import { anonymousKeychain } from './keychain.js';
import { createMultiKeychain } from './multi-keychain.js';

function fixed(entries: Record<string, Credential>, calls: string[] = [], name = ''): Keychain {
  return {
    async resolve(registry) {
      calls.push(`${name}:${registry}`);
      return entries[registry];
    },
  };
}

describe('createMultiKeychain', () => {
  const first = fixed({ 'ghcr.io': { username: 'first' } });
  const second = fixed({ 'ghcr.io': { username: 'second' }, 'quay.io': { username: 'second-quay' } });

  it.each([
    ['first keychain with a credential wins', [first, second], 'ghcr.io', { username: 'first' }],
    ['falls through keychains without one', [anonymousKeychain, first, second], 'quay.io', { username: 'second-quay' }],
    ['order matters', [second, first], 'ghcr.io', { username: 'second' }],
    ['nothing anywhere', [first, second], 'docker.io', undefined],
    ['no keychains', [], 'ghcr.io', undefined],
  ] as [string, Keychain[], string, Credential | undefined][])('%s', async (_name, keychains, registry, expected) => {
    expect(await createMultiKeychain(keychains).resolve(registry)).toEqual(expected);
  });

  it('stops asking once a credential is found', async () => {
    const calls: string[] = [];
    const chain = createMultiKeychain([fixed({}, calls, 'a'), fixed({ 'ghcr.io': { username: 'b' } }, calls, 'b'), fixed({}, calls, 'c')]);
    await chain.resolve('ghcr.io');
    expect(calls).toEqual(['a:ghcr.io', 'b:ghcr.io']);
  });

  it('propagates a failing keychain instead of silently using another identity', async () => {
    const failing: Keychain = { resolve: async () => Promise.reject(new Error('secret store down')) };
    await expect(createMultiKeychain([failing, first]).resolve('ghcr.io')).rejects.toThrow('secret store down');
  });

  it('is not affected by later changes to the array it was given', async () => {
    const keychains = [first];
    const chain = createMultiKeychain(keychains);
    keychains.unshift(second);
    expect(await chain.resolve('ghcr.io')).toEqual({ username: 'first' });
  });
});
