// The one user the basic-auth registry and the token server know. Tests read it from
// `inject('registries')`; the harness uses it as the default everywhere.
export const TEST_CREDENTIALS = Object.freeze({
  username: 'slimguard-test',
  password: 'not-a-secret-7f3a9c',
});

export interface Credentials {
  username: string;
  password: string;
}
