import type { Credential, Keychain } from './keychain.js';

/**
 * Asks the keychains in order; the first with a credential for the registry wins (pull secrets
 * of the Pod before the webhook's own docker config, as kubelet does). A keychain that fails
 * fails the lookup: quietly falling through to another identity would be surprising.
 */
export function createMultiKeychain(keychains: readonly Keychain[]): Keychain {
  const chain = [...keychains];
  return {
    async resolve(registry: string): Promise<Credential | undefined> {
      for (const keychain of chain) {
        const credential = await keychain.resolve(registry);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}
