// `--output sarif` of check and validate, checked against the structure of the SARIF 2.1.0 schema
// (OASIS sarif-schema-2.1.0.json; no network here to fetch it, so the parts slimguard writes are
// restated below with the schema's required fields, enums and additionalProperties: false).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../harness/run-command.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { CLI, runCli, type CliRun } from './run-cli.js';

const propertyBag = z.looseObject({ tags: z.array(z.string()).optional() });
const message = z.strictObject({ text: z.string(), markdown: z.string().optional(), id: z.string().optional(), properties: propertyBag.optional() });
const multiformatMessage = z.strictObject({ text: z.string(), markdown: z.string().optional(), properties: propertyBag.optional() });
const artifactLocation = z.strictObject({ uri: z.string().optional(), uriBaseId: z.string().optional(), index: z.number().int().min(-1).optional() });
const region = z.strictObject({ startLine: z.number().int().min(1).optional(), startColumn: z.number().int().min(1).optional() });
const physicalLocation = z.strictObject({ artifactLocation, region: region.optional(), properties: propertyBag.optional() });
const logicalLocation = z.strictObject({
  name: z.string().optional(),
  fullyQualifiedName: z.string().optional(),
  kind: z.string().optional(),
  properties: propertyBag.optional(),
});
const location = z.strictObject({
  physicalLocation: physicalLocation.optional(),
  logicalLocations: z.array(logicalLocation).optional(),
  message: message.optional(),
  properties: propertyBag.optional(),
});
const level = z.enum(['none', 'note', 'warning', 'error']);
const reportingDescriptor = z.strictObject({
  id: z.string(),
  name: z.string().optional(),
  shortDescription: multiformatMessage.optional(),
  fullDescription: multiformatMessage.optional(),
  help: multiformatMessage.optional(),
  helpUri: z.url().optional(),
  properties: propertyBag.optional(),
});
const result = z.strictObject({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().min(-1).optional(),
  level: level.optional(),
  message,
  locations: z.array(location).optional(),
  partialFingerprints: z.record(z.string(), z.string()).optional(),
  properties: propertyBag.optional(),
});
const notification = z.strictObject({
  message,
  level: level.optional(),
  descriptor: z.strictObject({ id: z.string().optional(), index: z.number().int().optional() }).optional(),
  locations: z.array(location).optional(),
  properties: propertyBag.optional(),
});
const invocation = z.strictObject({
  executionSuccessful: z.boolean(),
  exitCode: z.number().int().optional(),
  toolExecutionNotifications: z.array(notification).optional(),
  properties: propertyBag.optional(),
});
const sarifLog = z.strictObject({
  $schema: z.url().optional(),
  version: z.literal('2.1.0'),
  runs: z.array(
    z.strictObject({
      tool: z.strictObject({
        driver: z.strictObject({
          name: z.string(),
          version: z.string().optional(),
          semanticVersion: z.string().optional(),
          informationUri: z.url().optional(),
          rules: z.array(reportingDescriptor).optional(),
        }),
      }),
      invocations: z.array(invocation).optional(),
      results: z.array(result).optional(),
    }),
  ),
});
type SarifLog = z.infer<typeof sarifLog>;

const { anonymous } = inject('registries');
const insecure = ['--insecure-registry', anonymous.host];
let dir: string;
let rootImage: string;
let slimImage: string;
let policy: string;

/** The built CLI run in `cwd`, so manifest URIs come out relative to it as in a CI checkout. */
function runCliIn(cwd: string, args: string[]): Promise<CliRun> {
  return runCommand(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, DOCKER_CONFIG: '/nonexistent-docker-config' } });
}

function parseSarif(stdout: string): SarifLog {
  return sarifLog.parse(JSON.parse(stdout));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-sarif-'));
  const repository = uniqueRepository('sarif');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 2000, seed: 'sarif-root' }] }));
  await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'sarif-slim' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;
  // One rule per level: runAsRoot enforce (error), sizeBudget warn (warning: 2000 bytes > 1Ki).
  policy = join(dir, 'policy.yaml');
  await writeFile(
    policy,
    'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: s}\nspec:\n  mode: audit\n  rules:\n    runAsRoot: {mode: enforce}\n    sizeBudget: {mode: warn, maxCompressedSize: 1024}\n',
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('--output sarif', () => {
  it('the schema above rejects what SARIF forbids (so the tests below can fail)', () => {
    const valid = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } } }] };
    expect(sarifLog.safeParse(valid).success).toBe(true);
    expect(sarifLog.safeParse({ ...valid, version: '2.0.0' }).success).toBe(false);
    expect(sarifLog.safeParse({ ...valid, runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'a', level: 'fatal', message: { text: 'm' } }] }] }).success).toBe(false);
    expect(sarifLog.safeParse({ ...valid, runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ region: {} }] }] }] }).success).toBe(false);
    expect(sarifLog.safeParse({ ...valid, runs: [{ tool: { driver: { name: 'x' } }, invocations: [{}] }] }).success).toBe(false);
  });

  it('check: a result per violation at its level, the image as the location, exit code unchanged', async () => {
    const run = await runCli(['check', ...insecure, '--policy', policy, '--output', 'sarif', rootImage, slimImage]);
    expect(run.code).toBe(1);
    const log = parseSarif(run.stdout);
    const [sarifRun] = log.runs;
    expect(sarifRun!.tool.driver).toMatchObject({ name: 'slimguard', version: expect.any(String) });
    expect(sarifRun!.tool.driver.rules?.map((r) => r.id)).toEqual(['runAsRoot', 'sizeBudget', 'buildBase']);
    expect(sarifRun!.results?.map((r) => [r.ruleId, r.level])).toEqual([
      ['runAsRoot', 'error'],
      ['sizeBudget', 'warning'],
    ]);
    for (const r of sarifRun!.results ?? []) {
      expect(r.locations).toEqual([{ logicalLocations: [{ name: rootImage, kind: 'resource' }] }]);
      expect(sarifRun!.tool.driver.rules?.[r.ruleIndex!]?.id).toBe(r.ruleId);
    }
    expect(sarifRun!.invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [] }]);
  });

  it('check: an unreadable image is a tool execution notification, executionSuccessful false, exit 2', async () => {
    const missing = `${anonymous.host}/test/sarif-missing:v1`;
    const run = await runCli(['check', ...insecure, '--output', 'sarif', missing]);
    expect(run.code).toBe(2);
    const [sarifRun] = parseSarif(run.stdout).runs;
    expect(sarifRun!.results).toEqual([]);
    expect(sarifRun!.invocations?.[0]?.executionSuccessful).toBe(false);
    expect(sarifRun!.invocations?.[0]?.toolExecutionNotifications?.[0]).toMatchObject({ level: 'error', message: { text: expect.stringContaining(missing) } });
  });

  it('validate: results point at the manifest file (relative to the working directory) and the image line', async () => {
    const checkout = join(dir, 'checkout');
    await mkdir(join(checkout, 'deploy'), { recursive: true });
    const manifest = execFileSync('kubectl', ['create', 'deployment', 'web', `--image=${rootImage}`, '--dry-run=client', '-o', 'yaml'], { encoding: 'utf8' });
    await writeFile(join(checkout, 'deploy', 'web app.yaml'), manifest);
    await writeFile(join(checkout, 'deploy', 'broken.yaml'), 'kind: [\n');
    const run = await runCliIn(checkout, ['validate', ...insecure, '--policy', policy, '--output', 'sarif', '-f', 'deploy']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    const [sarifRun] = parseSarif(run.stdout).runs;
    const imageLine = manifest.split('\n').findIndex((line) => line.includes('image:')) + 1;
    expect(sarifRun!.results?.map((r) => [r.ruleId, r.level])).toEqual([
      ['runAsRoot', 'error'],
      ['sizeBudget', 'warning'],
    ]);
    expect(sarifRun!.results?.[0]?.locations?.[0]).toMatchObject({
      physicalLocation: { artifactLocation: { uri: 'deploy/web%20app.yaml' }, region: { startLine: imageLine } },
      logicalLocations: [{ fullyQualifiedName: 'Deployment default/web spec.template.spec.containers[0]' }],
    });
    expect(sarifRun!.invocations?.[0]?.executionSuccessful).toBe(false);
    expect(sarifRun!.invocations?.[0]?.toolExecutionNotifications).toMatchObject([
      { level: 'error', descriptor: { id: 'YAML_SYNTAX' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/broken.yaml' } } }] },
    ]);
  });
});
