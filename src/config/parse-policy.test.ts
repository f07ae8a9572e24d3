import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyIssue } from './errors.js';
import { formatPath, parsePolicy } from './parse-policy.js';

const MiB = 1024 * 1024;
const HEADER = 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: test}\n';

function errorOf(text: string): PolicyError {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

function issuesOf(text: string): PolicyIssue[] {
  return [...errorOf(text).issues];
}

describe('parsePolicy: valid policies', () => {
  it('reads the DESIGN example', () => {
    const policy = parsePolicy(
      `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: default}
spec:
  mode: warn                    # default mode of every rule
  rules:
    runAsRoot:  {mode: enforce}
    sizeBudget: {mode: warn, maxCompressedSize: 300Mi}   # bytes as an integer, or a quantity (Mi, Gi, M, G)
    buildBase:  {mode: enforce}
`,
      'design.yaml',
    );
    expect(policy).toEqual({
      name: 'default',
      mode: 'warn',
      onRegistryError: 'allow',
      platforms: [{ os: 'linux', architecture: 'amd64' }],
      exemptionWarningDays: 14,
      rules: {
        runAsRoot: { mode: 'enforce' },
        sizeBudget: { mode: 'warn', maxCompressedSizeBytes: 300 * MiB, units: 'binary', warnAtPercent: 80, overrides: [] },
        buildBase: { mode: 'enforce', extraSignatures: [], allowedBases: [], catalog: [] },
      },
      exemptions: [],
    });
  });

  it('fills every default from a minimal file', () => {
    const policy = parsePolicy(HEADER, 'min.yaml');
    expect(policy.mode).toBe('warn');
    expect(policy.rules.runAsRoot).toEqual({});
    expect(policy.rules.sizeBudget).toEqual({ maxCompressedSizeBytes: 500 * MiB, units: 'binary', warnAtPercent: 80, overrides: [] });
    expect(policy.rules.buildBase).toEqual({ extraSignatures: [], allowedBases: [], catalog: [] });
  });

  it('reads every field', () => {
    const policy = parsePolicy(
      `${HEADER}spec:
  mode: enforce
  onRegistryError: deny
  platforms: [linux/amd64, linux/arm64/v8, linux/arm/v7]
  exemptionWarningDays: 7
  rules:
    sizeBudget:
      maxCompressedSize: 314572800
      warnAtPercent: 90
      overrides:
        - namespaces: [ml-*]
          selector:
            matchLabels: {tier: gpu}
            matchExpressions:
              - {key: app.kubernetes.io/component, operator: In, values: [trainer]}
              - {key: slim, operator: DoesNotExist}
          maxCompressedSize: 4G
        - namespaces: [research]
          maxCompressedSize: 2Gi
          warnAtPercent: 95
    buildBase:
      mode: audit
      extraSignatures:
        - name: acme/java-builder
          ecosystem: java
          env: ['^ACME_JDK_HOME=']
          history: ['acme-jdk-installer']
          remediation: build with acme/java-builder, run on acme/java-runtime
      allowedBases: ['registry.acme/sdk/*']
      catalog:
        - {reference: 'registry.acme/sdk/java:21', ecosystem: java}
  exemptions:
    - images: ['ghcr.io/acme/legacy-*']
      namespaces: [legacy]
      rules: [runAsRoot, runAsRoot]
      expires: 2025-06-30
      reason: LEG-42 migrate to distroless
    - namespaces: [kube-system]
      expires: '2025-06-30T12:00:00+02:00'
      reason: system components
`,
      'full.yaml',
    );
    expect(policy.mode).toBe('enforce');
    expect(policy.onRegistryError).toBe('deny');
    expect(policy.platforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' }, // v8 is arm64's default variant
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    expect(policy.exemptionWarningDays).toBe(7);
    expect(policy.rules.sizeBudget.maxCompressedSizeBytes).toBe(314572800);
    expect(policy.rules.sizeBudget.overrides).toEqual([
      {
        namespaces: ['ml-*'],
        selector: {
          matchLabels: { tier: 'gpu' },
          matchExpressions: [
            { key: 'app.kubernetes.io/component', operator: 'In', values: ['trainer'] },
            { key: 'slim', operator: 'DoesNotExist' },
          ],
        },
        maxCompressedSizeBytes: 4_000_000_000,
        units: 'decimal',
      },
      { namespaces: ['research'], maxCompressedSizeBytes: 2 * 1024 * MiB, units: 'binary', warnAtPercent: 95 },
    ]);
    expect(policy.rules.buildBase).toEqual({
      mode: 'audit',
      extraSignatures: [
        { name: 'acme/java-builder', ecosystem: 'java', env: ['^ACME_JDK_HOME='], history: ['acme-jdk-installer'], remediation: 'build with acme/java-builder, run on acme/java-runtime' },
      ],
      allowedBases: ['registry.acme/sdk/*'],
      catalog: [{ reference: 'registry.acme/sdk/java:21', ecosystem: 'java' }],
    });
    expect(policy.exemptions).toEqual([
      {
        images: ['ghcr.io/acme/legacy-*'],
        namespaces: ['legacy'],
        rules: ['runAsRoot'],
        expires: '2025-06-30',
        expiresAt: new Date('2025-07-01T00:00:00Z'), // a date holds through that whole day (UTC)
        reason: 'LEG-42 migrate to distroless',
      },
      { namespaces: ['kube-system'], expires: '2025-06-30T12:00:00+02:00', expiresAt: new Date('2025-06-30T10:00:00Z'), reason: 'system components' },
    ]);
  });

  it('reads YAML 1.2: `off` is a string (not the YAML 1.1 boolean) and an unquoted date stays a string', () => {
    const policy = parsePolicy(`${HEADER}spec:\n  mode: off\n  exemptions: [{images: [nginx], expires: 2025-06-30, reason: r}]\n`, 'p.yaml');
    expect(policy.mode).toBe('off');
    expect(policy.exemptions[0]?.expires).toBe('2025-06-30');
  });

  it('accepts JSON, which is YAML', () => {
    const policy = parsePolicy(JSON.stringify({ apiVersion: 'slimguard.io/v1alpha1', kind: 'ImagePolicy', metadata: { name: 'j' }, spec: { mode: 'audit' } }), 'p.json');
    expect(policy.mode).toBe('audit');
  });
});

describe('parsePolicy: errors with path, hint and position', () => {
  it('names an unknown key with its exact path, a hint and its line', () => {
    const error = errorOf(`${HEADER}spec:\n  rules:\n    sizeBudget:\n      maxCompresedSize: 300Mi\n`);
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.file).toBe('policy.yaml');
    expect(error.issues).toEqual([
      { path: 'spec.rules.sizeBudget.maxCompresedSize', message: 'unknown key', hint: 'did you mean maxCompressedSize?', line: 7, column: 7 },
    ]);
    expect(error.message).toContain('policy.yaml:7:7: spec.rules.sizeBudget.maxCompresedSize: unknown key; did you mean maxCompressedSize?');
  });

  it.each<[string, string, Partial<PolicyIssue>]>([
    ['unknown rule', 'spec:\n  rules:\n    buildbase: {mode: enforce}\n', { path: 'spec.rules.buildbase', message: 'unknown key', hint: 'did you mean buildBase?', line: 6 }],
    ['unknown top-level spec key', 'spec:\n  exemption: []\n', { path: 'spec.exemption', hint: 'did you mean exemptions?' }],
    ['unknown key without a close match lists the known ones', 'spec:\n  rules:\n    runAsRoot: {severity: high}\n', { path: 'spec.rules.runAsRoot.severity', hint: 'known keys: mode' }],
    ['misspelt mode', 'spec:\n  mode: enfroce\n', { path: 'spec.mode', message: 'expected one of "enforce", "warn", "audit", "off", got a string ("enfroce")', hint: 'did you mean enforce?', line: 5, column: 9 }],
    ['capitalised mode', 'spec:\n  rules:\n    runAsRoot: {mode: Enforce}\n', { path: 'spec.rules.runAsRoot.mode', hint: 'did you mean enforce?' }],
    ['wrong type', 'spec:\n  exemptionWarningDays: soon\n', { path: 'spec.exemptionWarningDays', message: 'expected a number of days, got a string ("soon")' }],
    ['rules as a list', 'spec:\n  rules: [runAsRoot]\n', { path: 'spec.rules', message: 'expected a mapping, got a list' }],
    ['bad quantity', 'spec:\n  rules:\n    sizeBudget: {maxCompressedSize: 300MB}\n', { path: 'spec.rules.sizeBudget.maxCompressedSize', message: 'invalid quantity "300MB": unknown unit "MB"; did you mean 300M?' }],
    ['zero budget', 'spec:\n  rules:\n    sizeBudget: {maxCompressedSize: 0}\n', { path: 'spec.rules.sizeBudget.maxCompressedSize', message: 'must be more than zero' }],
    ['budget of the wrong type', 'spec:\n  rules:\n    sizeBudget: {maxCompressedSize: true}\n', { message: 'expected a size such as 300Mi or a byte count, got a boolean (true)' }],
    ['warnAtPercent out of range', 'spec:\n  rules:\n    sizeBudget: {warnAtPercent: 120}\n', { path: 'spec.rules.sizeBudget.warnAtPercent', message: 'must be between 1 and 100' }],
    ['onRegistryError', 'spec:\n  onRegistryError: fail\n', { path: 'spec.onRegistryError', message: 'expected one of "allow", "deny", got a string ("fail")' }],
    ['bad platform', 'spec:\n  platforms: [linux]\n', { path: 'spec.platforms[0]' }],
    ['empty platforms', 'spec:\n  platforms: []\n', { path: 'spec.platforms', message: 'must list at least one platform' }],
    ['override without a condition', 'spec:\n  rules:\n    sizeBudget:\n      overrides: [{maxCompressedSize: 1Gi}]\n', { path: 'spec.rules.sizeBudget.overrides[0]', message: expect.stringContaining('needs namespaces or selector') as unknown as string }],
    ['In without values', 'spec:\n  rules:\n    sizeBudget:\n      overrides: [{selector: {matchExpressions: [{key: a, operator: In}]}, maxCompressedSize: 1Gi}]\n', { path: 'spec.rules.sizeBudget.overrides[0].selector.matchExpressions[0].values', message: 'must not be empty for operator In' }],
    ['Exists with values', 'spec:\n  rules:\n    sizeBudget:\n      overrides: [{selector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}, maxCompressedSize: 1Gi}]\n', { message: 'must be empty for operator Exists' }],
    ['bad operator', 'spec:\n  rules:\n    sizeBudget:\n      overrides: [{selector: {matchExpressions: [{key: a, operator: in, values: [x]}]}, maxCompressedSize: 1Gi}]\n', { hint: 'did you mean In?' }],
    ['exemption without reason', 'spec:\n  exemptions: [{images: [nginx]}]\n', { path: 'spec.exemptions[0].reason', message: 'required' }],
    ['exemption matching everything', 'spec:\n  exemptions: [{reason: x}]\n', { path: 'spec.exemptions[0]', message: expect.stringContaining('needs images or namespaces') as unknown as string }],
    ['exemption with an unknown rule', 'spec:\n  exemptions: [{images: [nginx], rules: [runAsroot], reason: x}]\n', { path: 'spec.exemptions[0].rules[0]', hint: 'did you mean runAsRoot?' }],
    ['exemption with a bad date', 'spec:\n  exemptions: [{images: [nginx], expires: 2025-02-30, reason: x}]\n', { path: 'spec.exemptions[0].expires', message: expect.stringContaining('is not a date') as unknown as string }],
    ['exemption with a date in another format', 'spec:\n  exemptions: [{images: [nginx], expires: 30/06/2025, reason: x}]\n', { path: 'spec.exemptions[0].expires' }],
    ['signature without patterns', 'spec:\n  rules:\n    buildBase:\n      extraSignatures: [{name: x, ecosystem: go}]\n', { message: 'a signature needs at least one env or history pattern' }],
    ['signature with a bad regex', 'spec:\n  rules:\n    buildBase:\n      extraSignatures: [{name: x, ecosystem: go, history: ["(unclosed"]}]\n', { path: 'spec.rules.buildBase.extraSignatures[0].history[0]', message: expect.stringContaining('invalid regular expression') as unknown as string }],
    ['signature with an unknown ecosystem', 'spec:\n  rules:\n    buildBase:\n      extraSignatures: [{name: x, ecosystem: golang, env: [a]}]\n', { path: 'spec.rules.buildBase.extraSignatures[0].ecosystem' }],
    ['signature with the key names of another tool', 'spec:\n  rules:\n    buildBase:\n      extraSignatures: [{name: x, ecosystem: go, envPatterns: [a]}]\n', { path: 'spec.rules.buildBase.extraSignatures[0].envPatterns', message: 'unknown key' }],
  ])('%s', (_name, body, expected) => {
    expect(issuesOf(`${HEADER}${body}`)).toContainEqual(expect.objectContaining(expected));
  });

  it('rejects the wrong apiVersion and kind, with hints', () => {
    const issues = issuesOf('apiVersion: slimguard.io/v1alpha2\nkind: ImagePolicies\nmetadata: {name: x}\n');
    expect(issues).toContainEqual(expect.objectContaining({ path: 'apiVersion', message: 'must be "slimguard.io/v1alpha1", got a string ("slimguard.io/v1alpha2")', hint: 'did you mean slimguard.io/v1alpha1?', line: 1, column: 13 }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'kind', hint: 'did you mean ImagePolicy?' }));
  });

  it('reports a missing key at the enclosing mapping', () => {
    expect(issuesOf('apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\n')).toEqual([{ path: 'metadata', message: 'required', line: 1, column: 1 }]);
  });

  it('lists every problem, not only the first', () => {
    const issues = issuesOf(`${HEADER}spec:\n  mode: strict\n  rules:\n    sizeBudget: {maxCompressedSize: big}\n  exemptions: [{reason: ''}]\n`);
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['spec.mode', 'spec.rules.sizeBudget.maxCompressedSize', 'spec.exemptions[0].reason', 'spec.exemptions[0]']),
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    const error = errorOf(`${HEADER}spec:\n  mode: warn\n   rules: {\n`);
    expect(error.code).toBe('POLICY_SYNTAX');
    expect(error.issues[0]).toMatchObject({ path: '', line: expect.any(Number) as unknown as number, column: expect.any(Number) as unknown as number });
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(5);
    expect(error.message).toMatch(/^policy\.yaml: policy is not valid YAML\n {2}policy\.yaml:\d+:\d+: /);
  });

  it.each([
    ['duplicate keys', `${HEADER}spec:\n  mode: warn\n  mode: enforce\n`, /unique/i],
    ['several documents', `${HEADER}---\n${HEADER}`, /several YAML documents/],
    ['tabs as indentation', `${HEADER}spec:\n\tmode: warn\n`, /./],
  ])('rejects %s as a syntax error', (_name, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('POLICY_SYNTAX');
    expect(error.issues[0]?.message).toMatch(message);
  });

  it('rejects an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, index) => {
      const prev = String.fromCharCode(97 + index);
      const name = String.fromCharCode(98 + index);
      return `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    })].join('\n');
    const error = errorOf(bomb);
    expect(error.code).toBe('POLICY_SYNTAX');
  });

  it.each([
    ['an empty file', ''],
    ['only comments', '# nothing here\n'],
  ])('rejects %s with a hint', (_name, text) => {
    expect(issuesOf(text)).toEqual([{ path: '', message: 'the policy is empty', hint: 'start with apiVersion: slimguard.io/v1alpha1 and kind: ImagePolicy' }]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([{ path: '', message: 'expected a mapping, got a list', line: 1, column: 1 }]);
  });
});

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['spec', 'rules', 'sizeBudget'], 'spec.rules.sizeBudget'],
    [['spec', 'exemptions', 0, 'reason'], 'spec.exemptions[0].reason'],
    [['metadata', 'labels', 'app.kubernetes.io/name'], 'metadata.labels["app.kubernetes.io/name"]'],
  ] as const)('%j -> %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
