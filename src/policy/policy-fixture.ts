// A Policy built by hand for the engine's tests (imported by *.test.ts only), so they do not
// depend on the YAML loader in src/config.
import type { BuildBasePolicy, Policy, RunAsRootPolicy, SizeBudgetPolicy } from './policy.js';

const MiB = 1024 * 1024;

export interface PolicyOverrides extends Partial<Omit<Policy, 'rules'>> {
  runAsRoot?: Partial<RunAsRootPolicy>;
  sizeBudget?: Partial<SizeBudgetPolicy>;
  buildBase?: Partial<BuildBasePolicy>;
}

/** Like the embedded default (warn everything, 500 MiB, warn band from 80%) with overrides. */
export function testPolicy(overrides: PolicyOverrides = {}): Policy {
  const { runAsRoot, sizeBudget, buildBase, ...top } = overrides;
  return {
    name: 'test',
    mode: 'warn',
    onRegistryError: 'allow',
    platforms: [{ os: 'linux', architecture: 'amd64' }],
    exemptionWarningDays: 14,
    exemptions: [],
    ...top,
    rules: {
      runAsRoot: { ...runAsRoot },
      sizeBudget: { maxCompressedSizeBytes: 500 * MiB, units: 'binary', warnAtPercent: 80, overrides: [], ...sizeBudget },
      buildBase: { extraSignatures: [], allowedBases: [], catalog: [], ...buildBase },
    },
  };
}
