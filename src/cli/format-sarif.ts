// SARIF 2.1.0 (OASIS) for code-scanning dashboards: one run, one result per violation, images that
// could not be judged as tool execution notifications. `validate` points results at the manifest
// line of the container's image; `check` has no file, so it names the image as a logical location.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatWorkload } from '../admission/index.js';
import { formatPlatform } from '../oci/platform.js';
import { RULE_IDS, type Mode, type RuleId, type Violation } from '../policy/types.js';
import type { CheckResult } from './check-report.js';
import { STDIN_NAME } from './read-manifests.js';
import type { ValidateReport, ValidateResult } from './validate-report.js';
import { VERSION } from './version.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** Where people read what slimguard is and what its rules mean (tool.driver.informationUri). */
export const SLIMGUARD_INFORMATION_URI = 'https://github.com/slimguard/slimguard';

export type SarifLevel = 'error' | 'warning' | 'note';

/** enforce denies (error), warn is shown at admission (warning), audit is only recorded (note). */
export function sarifLevel(mode: Exclude<Mode, 'off'>): SarifLevel {
  return mode === 'enforce' ? 'error' : mode === 'warn' ? 'warning' : 'note';
}

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
  logicalLocations?: { name: string; fullyQualifiedName?: string; kind?: string }[];
}

export interface SarifResult {
  ruleId: RuleId;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface SarifNotification {
  level: 'error';
  message: SarifMessage;
  descriptor?: { id: string };
  locations?: SarifLocation[];
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: [
    {
      tool: {
        driver: {
          name: 'slimguard';
          informationUri: string;
          version: string;
          semanticVersion: string;
          rules: SarifRuleDescriptor[];
        };
      };
      invocations: [{ executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }];
      results: SarifResult[];
    },
  ];
}

export interface SarifRuleDescriptor {
  id: RuleId;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  properties: { tags: string[] };
}

/** The three rules (contract IDs), in RULE_IDS order so ruleIndex is the index in RULE_IDS. */
export const SARIF_RULES: readonly SarifRuleDescriptor[] = [
  {
    id: 'runAsRoot',
    name: 'RunAsRoot',
    shortDescription: { text: 'Image runs as root' },
    fullDescription: {
      text:
        'The container would run as uid 0 (the image has no non-root USER and the pod sets no non-zero runAsUser), ' +
        'or runAsNonRoot cannot be satisfied and the kubelet would refuse to start it.',
    },
    help: {
      text: 'Add a numeric non-root USER to the Dockerfile (e.g. USER 65532), or set a non-zero securityContext.runAsUser in the pod spec.',
      markdown:
        'Add a numeric non-root `USER` to the Dockerfile (e.g. `USER 65532`), or set a non-zero `securityContext.runAsUser` in the pod spec.',
    },
    properties: { tags: ['security', 'container', 'kubernetes'] },
  },
  {
    id: 'sizeBudget',
    name: 'SizeBudget',
    shortDescription: { text: 'Image exceeds its size budget' },
    fullDescription: { text: "The image's compressed size (the sum of its layers in the registry) is over, or close to, the policy's budget." },
    help: {
      text: 'Use a slim runtime base (distroless, alpine, -slim, -jre), a multi-stage build that copies only the artifact, and drop caches and build tools from the final image.',
      markdown:
        'Use a slim runtime base (distroless, alpine, `-slim`, `-jre`), a multi-stage build that copies only the artifact, and drop caches and build tools from the final image.',
    },
    properties: { tags: ['container', 'kubernetes', 'performance'] },
  },
  {
    id: 'buildBase',
    name: 'BuildBase',
    shortDescription: { text: 'Image is built on a full build base' },
    fullDescription: {
      text: 'The image ships an SDK or compiler base (golang, maven, a JDK, node or python on full Debian) instead of a slim runtime base.',
    },
    help: {
      text: 'Build in a multi-stage Dockerfile and copy the result into a runtime base: distroless, alpine, scratch, a -slim or -jre image.',
      markdown:
        'Build in a multi-stage Dockerfile and `COPY --from=build` the result into a runtime base: distroless, alpine, scratch, a `-slim` or `-jre` image.',
    },
    properties: { tags: ['security', 'container', 'kubernetes'] },
  },
];

export interface SarifOptions {
  /** Manifest paths are made relative to this directory (the repository root in CI). Default: process.cwd(). */
  cwd?: string;
}

/** SARIF for `check`: images have no file, so each result's location is the image itself. */
export function toSarifForCheck(results: readonly CheckResult[]): SarifLog {
  const findings: SarifResult[] = [];
  const notifications: SarifNotification[] = [];
  for (const result of results) {
    const where: SarifLocation = { logicalLocations: [{ name: result.image, kind: 'resource' }] };
    if ('error' in result) {
      notifications.push({ level: 'error', message: { text: result.error.message }, descriptor: { id: result.error.code }, locations: [where] });
      continue;
    }
    const { facts } = result.judgement;
    for (const violation of result.judgement.verdict.violations) {
      findings.push(
        sarifResult(violation, [where], [violation.rule, result.image], {
          image: result.image,
          reference: facts.reference,
          digest: facts.digest,
          platform: formatPlatform(facts.platform),
        }),
      );
    }
  }
  return sarifLog(findings, notifications);
}

/** SARIF for `validate`: each result points at the `image:` line of its container in the manifest. */
export function toSarifForValidate(report: ValidateReport, options: SarifOptions = {}): SarifLog {
  const cwd = options.cwd ?? process.cwd();
  const findings: SarifResult[] = [];
  const notifications: SarifNotification[] = [];
  for (const result of report.results) {
    const where = validateLocation(result, cwd);
    const { check } = result;
    if ('error' in check) {
      notifications.push({ level: 'error', message: { text: check.error.message }, descriptor: { id: check.error.code }, locations: [where] });
      continue;
    }
    const { facts } = check.judgement;
    const workload = formatWorkload(result.workload);
    for (const violation of check.judgement.verdict.violations) {
      findings.push(
        sarifResult(violation, [where], [violation.rule, result.file, workload, result.container.type, result.container.name, check.image], {
          image: check.image,
          reference: facts.reference,
          digest: facts.digest,
          platform: formatPlatform(facts.platform),
          workload,
          container: result.container.name,
        }),
      );
    }
  }
  for (const problem of report.problems) {
    const location = physicalLocation(problem.file, problem.line, cwd);
    notifications.push({
      level: 'error',
      message: { text: problem.message },
      descriptor: { id: problem.code },
      ...(location ? { locations: [{ physicalLocation: location }] } : {}),
    });
  }
  return sarifLog(findings, notifications);
}

function sarifResult(violation: Violation, locations: SarifLocation[], identity: string[], properties: Record<string, unknown>): SarifResult {
  return {
    ruleId: violation.rule,
    ruleIndex: RULE_IDS.indexOf(violation.rule),
    level: sarifLevel(violation.mode),
    message: { text: violation.message },
    locations,
    // Stable across runs while the finding stays (not the line: an edit above must not make it "new").
    partialFingerprints: { 'slimguardFinding/v1': createHash('sha256').update(JSON.stringify(identity)).digest('hex') },
    properties: { mode: violation.mode, ...properties, evidence: violation.evidence },
  };
}

function sarifLog(results: SarifResult[], notifications: SarifNotification[]): SarifLog {
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'slimguard',
            informationUri: SLIMGUARD_INFORMATION_URI,
            version: VERSION,
            semanticVersion: VERSION,
            rules: [...SARIF_RULES],
          },
        },
        invocations: [{ executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}

function validateLocation(result: ValidateResult, cwd: string): SarifLocation {
  const location = physicalLocation(result.file, result.line, cwd);
  const workload = formatWorkload(result.workload);
  return {
    ...(location ? { physicalLocation: location } : {}),
    logicalLocations: [{ name: result.container.name, fullyQualifiedName: `${workload} ${result.container.fieldPath}`, kind: 'resource' }],
  };
}

/** A file as a URI reference relative to `cwd` (stdin has no file, so no physical location). */
function physicalLocation(file: string, line: number | undefined, cwd: string): SarifLocation['physicalLocation'] {
  if (file === STDIN_NAME) return undefined;
  return { artifactLocation: { uri: fileUri(file, cwd) }, ...(line === undefined ? {} : { region: { startLine: line } }) };
}

export function fileUri(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const inside = relative(cwd, absolute);
  // Outside the working directory a relative reference would climb with "..": an absolute file URI is clearer.
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return pathToFileURL(absolute).href;
  return inside.split(sep).map(encodeURIComponent).join('/');
}
