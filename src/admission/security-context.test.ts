import { describe, expect, it } from 'vitest';
import { mergeSecurityContexts, readSecurityContext } from './security-context.js';

describe('readSecurityContext', () => {
  it('reads the fields the runAsRoot rule uses', () => {
    expect(
      readSecurityContext({
        runAsUser: 1000,
        runAsGroup: 0,
        runAsNonRoot: false,
        privileged: true,
        windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: false, gmsaCredentialSpecName: 'x' },
      }),
    ).toEqual({ runAsUser: 1000, runAsGroup: 0, runAsNonRoot: false, windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: false } });
  });

  it('reads fields of the wrong type as unset', () => {
    expect(readSecurityContext({ runAsUser: '0', runAsGroup: 1.5, runAsNonRoot: 'true', windowsOptions: { runAsUserName: 3 } })).toEqual({});
    expect(readSecurityContext(undefined)).toEqual({});
    expect(readSecurityContext([{ runAsUser: 0 }])).toEqual({});
  });
});

describe('mergeSecurityContexts', () => {
  it('takes each field from the container when set, else from the pod', () => {
    expect(mergeSecurityContexts({ runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true }, { runAsUser: 0 })).toEqual({
      runAsUser: 0,
      runAsGroup: 3000,
      runAsNonRoot: true,
    });
  });

  it('lets a container false override a pod true', () => {
    expect(mergeSecurityContexts({ runAsNonRoot: true }, { runAsNonRoot: false })).toEqual({ runAsNonRoot: false });
  });

  it('merges windowsOptions field by field', () => {
    expect(
      mergeSecurityContexts({ windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: true } }, { windowsOptions: { runAsUserName: 'ContainerAdministrator' } }),
    ).toEqual({ windowsOptions: { runAsUserName: 'ContainerAdministrator', hostProcess: true } });
  });

  it('gives {} when neither sets anything', () => {
    expect(mergeSecurityContexts({}, {})).toEqual({});
  });
});
