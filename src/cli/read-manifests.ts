// Kubernetes manifests in, plain objects out, each with the file and line it came from. What
// `kubectl apply -f` reads: files, directories (recursively), stdin, multi-document YAML, JSON,
// and `kind: List`. Problems are returned as data so one bad file never hides another's verdicts.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';

/** How a manifest read from stdin (`-f -`) is named in messages and reports. */
export const STDIN_NAME = '<stdin>';

/** Extensions read from a directory (a file named on the command line is read whatever its name). */
export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** A path into an object, as the YAML tree is walked: keys and list indexes. */
export type ObjectPath = readonly (string | number)[];

export interface ManifestObject {
  /** The path as given (joined below a directory), or STDIN_NAME. */
  file: string;
  /** 1-based line where the object starts (its first key, after any comment). */
  line: number;
  object: Record<string, unknown>;
  /** 1-based line of a field inside this object, e.g. ['spec', 'template', 'spec', 'containers', 0, 'image']. */
  lineOf(path: ObjectPath): number | undefined;
}

export type ManifestProblemCode =
  /** The YAML (or JSON) does not parse. */
  | 'YAML_SYNTAX'
  /** A document (or List item) that is not a mapping. */
  | 'NOT_AN_OBJECT'
  /** A mapping without a string apiVersion and kind: nothing Kubernetes would accept. */
  | 'MISSING_KIND'
  /** A path that cannot be read (missing, unreadable, a directory without manifests). */
  | 'READ_FAILED';

export interface ManifestProblem {
  code: ManifestProblemCode;
  file: string;
  line?: number;
  column?: number;
  /** Starts with `file:line:column:` (as far as known) so it can be printed as is. */
  message: string;
}

export interface ManifestSet {
  objects: ManifestObject[];
  problems: ManifestProblem[];
}

export interface ReadManifestsOptions {
  /** Reads all of stdin; the CLI passes process.stdin, tests a string. */
  readStdin?: () => Promise<string>;
}

/**
 * Reads every path in order: `-` is stdin, a directory is walked recursively for *.yaml, *.yml
 * and *.json in sorted order (deterministic output), anything else is read as a file.
 */
export async function readManifests(paths: readonly string[], options: ReadManifestsOptions = {}): Promise<ManifestSet> {
  const set: ManifestSet = { objects: [], problems: [] };
  let stdinRead = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdinRead) {
        set.problems.push(readProblem(STDIN_NAME, 'stdin (-f -) can be read only once'));
        continue;
      }
      stdinRead = true;
      const text = await (options.readStdin ?? readProcessStdin)();
      appendTo(set, parseManifests(text, STDIN_NAME));
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await manifestFilesIn(path) : [path];
    } catch (error) {
      set.problems.push(readProblem(path, describeIoError(error)));
      continue;
    }
    if (files.length === 0) {
      set.problems.push(readProblem(path, `no ${MANIFEST_EXTENSIONS.map((e) => `*${e}`).join(', ')} files in this directory`));
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        set.problems.push(readProblem(file, describeIoError(error)));
        continue;
      }
      appendTo(set, parseManifests(text, file));
    }
  }
  return set;
}

/**
 * Parses one file's text: every document, `List` items expanded, empty documents skipped.
 * YAML 1.1 like Kubernetes' own reader (sigs.k8s.io/yaml), so `runAsNonRoot: yes` means true
 * there and here; JSON is YAML and parses the same way.
 */
export function parseManifests(text: string, file: string): ManifestSet {
  const set: ManifestSet = { objects: [], problems: [] };
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, version: '1.1', prettyErrors: true });
  for (const document of documents) {
    const [error] = document.errors;
    if (error) {
      const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      set.problems.push({
        code: 'YAML_SYNTAX',
        file,
        line: position.line,
        column: position.col,
        message: `${file}:${position.line}:${position.col}: ${firstLine(error.message)}`,
      });
      continue;
    }
    const contents = document.contents;
    // A document of only comments (helm's "# Source:" blocks of an empty template) or `---` alone.
    if (contents === null || (!isMap(contents) && !isSeq(contents) && document.toJS() === null)) continue;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      // An alias bomb ("billion laughs") or an unresolvable alias.
      const line = lineCounter.linePos(contents.range?.[0] ?? 0).line;
      set.problems.push({ code: 'YAML_SYNTAX', file, line, message: `${file}:${line}: ${(error as Error).message}` });
      continue;
    }
    collect(set, value, [], { document, lineCounter, file });
  }
  return set;
}

interface Origin {
  document: Document.Parsed;
  lineCounter: LineCounter;
  file: string;
}

function collect(set: ManifestSet, value: unknown, path: ObjectPath, origin: Origin): void {
  const line = lineAt(origin, path) ?? 1;
  const where = `${origin.file}:${line}`;
  if (!isPlainObject(value)) {
    set.problems.push({
      code: 'NOT_AN_OBJECT',
      file: origin.file,
      line,
      message: `${where}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${describeValue(value)}`,
    });
    return;
  }
  const { kind, apiVersion, items } = value;
  if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
    set.problems.push({
      code: 'MISSING_KIND',
      file: origin.file,
      line,
      message: `${where}: object has no ${typeof kind === 'string' && kind !== '' ? 'apiVersion' : 'kind'}: not a Kubernetes object`,
    });
    return;
  }
  // `kind: List` (kubectl's) and typed lists such as PodList (`kubectl get -o yaml`) hold their objects in items.
  if (kind.endsWith('List') && Array.isArray(items)) {
    items.forEach((item: unknown, index) => collect(set, item, [...path, 'items', index], origin));
    return;
  }
  set.objects.push({
    file: origin.file,
    line,
    object: value,
    lineOf: (inner) => lineAt(origin, [...path, ...inner]),
  });
}

function lineAt(origin: Origin, path: ObjectPath): number | undefined {
  const node = path.length === 0 ? origin.document.contents : origin.document.getIn(path, true);
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range === undefined ? undefined : origin.lineCounter.linePos(range[0]).line;
}

/** Files below `dir` with a manifest extension, sorted by path; symlinked directories are not followed (no cycles). */
async function manifestFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...(await manifestFilesIn(path)));
      continue;
    }
    if (!isManifestName(entry.name)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path).then((s) => s.isFile(), () => false)))) found.push(path);
  }
  return found;
}

function isManifestName(name: string): boolean {
  return (MANIFEST_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function appendTo(target: ManifestSet, source: ManifestSet): void {
  target.objects.push(...source.objects);
  target.problems.push(...source.problems);
}

function readProblem(file: string, reason: string): ManifestProblem {
  return { code: 'READ_FAILED', file, message: `${file}: ${reason}` };
}

function describeIoError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** The yaml package appends " at line L, column C:" and a code excerpt; the position is printed first instead. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
