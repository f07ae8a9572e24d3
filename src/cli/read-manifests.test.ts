import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifests, readManifests, STDIN_NAME } from './read-manifests.js';

const DEPLOYMENT = `# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
`;

describe('parseManifests', () => {
  it('reads every document with the line it starts on, skipping empty ones', () => {
    const text = `---\n# only a comment\n---\n${DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n`;
    const { objects, problems } = parseManifests(text, 'all.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.object['kind'], o.file, o.line])).toEqual([
      ['Deployment', 'all.yaml', 5],
      ['Service', 'all.yaml', 16],
    ]);
  });

  it('finds the line of a field inside an object', () => {
    const [deployment] = parseManifests(`\n\n${DEPLOYMENT}`, 'd.yaml').objects;
    expect(deployment!.lineOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(13);
    expect(deployment!.lineOf(['spec', 'nothing'])).toBeUndefined();
  });

  it('expands kind: List and typed lists, with the line of each item', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b}
  spec:
    template:
      spec:
        containers: [{name: x, image: "busybox"}]
`;
    const { objects, problems } = parseManifests(text, 'list.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.object['kind'], o.line])).toEqual([
      ['ConfigMap', 4],
      ['Deployment', 7],
    ]);
    expect(objects[1]!.lineOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(13);

    const podList = parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Pod' }] }), 'p.json');
    expect(podList.objects.map((o) => o.object['kind'])).toEqual(['Pod']);
  });

  it('reads JSON (kubectl -o json) with line numbers', () => {
    const json = JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'j', image: 'alpine' }] } } } }, null, 2);
    const [job] = parseManifests(json, 'job.json').objects;
    expect(job!.object['kind']).toBe('Job');
    expect(job!.line).toBe(1);
    expect(job!.lineOf(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(json.split('\n').findIndex((l) => l.includes('"image"')) + 1);
  });

  it('reads YAML 1.1 like Kubernetes does (yes is true) and merges anchors', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: yes}
  containers:
  - &base {name: a, image: "alpine"}
  - <<: *base
    name: b
`;
    const [pod] = parseManifests(text, 'pod.yaml').objects;
    const spec = pod!.object['spec'] as { securityContext: unknown; containers: unknown[] };
    expect(spec.securityContext).toEqual({ runAsNonRoot: true });
    expect(spec.containers).toEqual([
      { name: 'a', image: 'alpine' },
      { name: 'b', image: 'alpine' },
    ]);
  });

  it('names file, line and column of a syntax error and still reads the other documents', () => {
    const text = `${DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\ndata: [1, 2\nmore: 3\n`;
    const { objects, problems } = parseManifests(text, 'bad.yaml');
    expect(objects.map((o) => o.object['kind'])).toEqual(['Deployment']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'bad.yaml', line: 16, column: 1 });
    expect(problems[0]!.message).toMatch(/^bad\.yaml:16:1: Flow sequence/);
    expect(problems[0]!.message).not.toContain('\n');
  });

  it('reports duplicate keys, as kubectl does', () => {
    const { problems } = parseManifests('apiVersion: v1\nkind: Pod\nkind: Service\n', 'dup.yaml');
    expect(problems[0]).toMatchObject({ code: 'YAML_SYNTAX', line: 3 });
  });

  it('reports documents that are not Kubernetes objects', () => {
    const { objects, problems } = parseManifests('- a\n- b\n---\nfoo: bar\n---\nkind: Pod\n---\njust text\n', 'odd.yaml');
    expect(objects).toEqual([]);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['NOT_AN_OBJECT', 1],
      ['MISSING_KIND', 4],
      ['MISSING_KIND', 6],
      ['NOT_AN_OBJECT', 8],
    ]);
    expect(problems[0]!.message).toBe('odd.yaml:1: expected a Kubernetes object (a mapping with apiVersion and kind), got a list');
    expect(problems[2]!.message).toContain('no apiVersion');
  });

  it('refuses an alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i += 1) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const { problems } = parseManifests(`apiVersion: v1\nkind: ConfigMap\n${lines.join('\n')}\n`, 'bomb.yaml');
    expect(problems[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'bomb.yaml' });
  });
});

describe('readManifests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slimguard-manifests-'));
    await mkdir(join(dir, 'tree', 'b-sub'), { recursive: true });
    await mkdir(join(dir, 'tree', 'a-sub'), { recursive: true });
    await mkdir(join(dir, 'empty'));
    const object = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;
    await writeFile(join(dir, 'tree', 'z.yaml'), object('zed'));
    await writeFile(join(dir, 'tree', 'b-sub', 'y.yml'), object('why'));
    await writeFile(join(dir, 'tree', 'a-sub', 'x.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ex' } }));
    await writeFile(join(dir, 'tree', 'README.md'), '# not a manifest: apiVersion: v1');
    await writeFile(join(dir, 'tree', 'C.YAML'), object('cee'));
    await symlink(join(dir, 'tree'), join(dir, 'tree', 'a-sub', 'loop'));
    await writeFile(join(dir, 'named.txt'), object('named'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const names = (objects: { object: Record<string, unknown> }[]) => objects.map((o) => (o.object['metadata'] as { name: string }).name);

  it('walks a directory recursively in sorted order, manifests only, without following symlinked directories', async () => {
    const { objects, problems } = await readManifests([join(dir, 'tree')]);
    expect(problems).toEqual([]);
    expect(names(objects)).toEqual(['cee', 'ex', 'why', 'zed']);
    expect(objects[1]!.file).toBe(join(dir, 'tree', 'a-sub', 'x.json'));
  });

  it('reads files named on the command line whatever their extension, and stdin, in argument order', async () => {
    const { objects } = await readManifests([join(dir, 'named.txt'), '-'], {
      readStdin: async () => 'apiVersion: v1\nkind: Service\nmetadata: {name: from-stdin}\n',
    });
    expect(names(objects)).toEqual(['named', 'from-stdin']);
    expect(objects[1]!.file).toBe(STDIN_NAME);
  });

  it('reports missing paths, empty directories and stdin given twice, and reads the rest', async () => {
    const { objects, problems } = await readManifests([join(dir, 'missing.yaml'), join(dir, 'empty'), '-', '-', join(dir, 'named.txt')], {
      readStdin: async () => '',
    });
    expect(names(objects)).toEqual(['named']);
    expect(problems.map((p) => p.code)).toEqual(['READ_FAILED', 'READ_FAILED', 'READ_FAILED']);
    expect(problems[0]!.message).toBe(`${join(dir, 'missing.yaml')}: no such file or directory`);
    expect(problems[1]!.message).toContain('no *.yaml, *.yml, *.json files');
    expect(problems[2]!.message).toContain('only once');
  });
});
