/**
 * Credentials for one registry host. Never log or put any of these fields in an error message.
 */
export interface Credential {
  username?: string;
  password?: string;
  /** Docker config `identitytoken`: an OAuth2 refresh token, exchanged at the token realm. */
  identityToken?: string;
  /** Docker config `registrytoken`: a bearer token sent as is. */
  registryToken?: string;
}

/**
 * Finds credentials for a registry host. `registry` is the normalized host[:port]
 * ("docker.io" for Docker Hub); a keychain answers only for that exact host.
 */
export interface Keychain {
  resolve(registry: string): Promise<Credential | undefined>;
}

export const anonymousKeychain: Keychain = {
  resolve: async () => undefined,
};
