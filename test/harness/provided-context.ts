// What the harness's globalSetup hands to every test file through vitest's provide/inject:
// `const { anonymous, basic, token } = inject('registries')`. All three registries share one
// storage directory, so an image pushed to `anonymous` can be read through `basic` and `token`.
export interface HarnessRegistry {
  /** `127.0.0.1:PORT`, what an image reference starts with. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Combined-format access log; read it with access-log.ts. */
  accessLogPath: string;
  /** The registry's own log, for debugging. */
  logPath: string;
}

export interface BasicAuthRegistry extends HarnessRegistry {
  username: string;
  password: string;
}

export interface TokenAuthRegistry extends BasicAuthRegistry {
  /** Base URL of the token server; the registry's challenge names `${tokenServerUrl}/token`. */
  tokenServerUrl: string;
  realm: string;
  service: string;
  /** JSON lines of every token request; read it with readTokenLog from token-server.ts. */
  tokenLogPath: string;
}

export interface HarnessRegistries {
  anonymous: HarnessRegistry;
  basic: BasicAuthRegistry;
  token: TokenAuthRegistry;
}

declare module 'vitest' {
  export interface ProvidedContext {
    registries: HarnessRegistries;
    /** The filesystem storage shared by the three registries. */
    storageDir: string;
  }
}
