import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { Policy } from '../policy/policy.js';
import { didYouMean } from './did-you-mean.js';
import { PolicyError, type PolicyIssue } from './errors.js';
import { API_VERSION, describeType, KIND, policySchema } from './policy-schema.js';

type PathKey = PropertyKey;

/**
 * Parses and validates an ImagePolicy from YAML (or JSON) text. Pure: `source` only names the
 * text in messages. Throws PolicyError listing every problem with its path, line and column.
 */
export function parsePolicy(text: string, source: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new PolicyError('POLICY_SYNTAX', source, document.errors.map((error) => syntaxIssue(error, lineCounter)));
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Alias expansion bombs ("billion laughs") end here.
    throw new PolicyError('POLICY_SYNTAX', source, [{ path: '', message: error instanceof Error ? error.message : String(error) }], { cause: error });
  }
  if (data === null || data === undefined) {
    throw new PolicyError('POLICY_INVALID', source, [
      { path: '', message: 'the policy is empty', hint: `start with apiVersion: ${API_VERSION} and kind: ${KIND}` },
    ]);
  }

  const knownKeys = new Map<string, string[]>();
  const result = policySchema.safeParse(data, { reportInput: true, error: (issue) => messageFor(issue, knownKeys) });
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => toPolicyIssues(issue, knownKeys));
  for (const issue of issues) Object.assign(issue, positionOf(document, lineCounter, issue));
  // In file order, so the list reads top to bottom like the file (sort is stable for ties).
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new PolicyError('POLICY_INVALID', source, issues.map(({ pathKeys: _pathKeys, ...issue }) => issue), { cause: result.error });
}

function syntaxIssue(error: { message: string; code: string; pos: [number, number] }, lineCounter: LineCounter): PolicyIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = error.code === 'MULTIPLE_DOCS' ? 'the file holds several YAML documents; a policy file holds one' : error.message;
  return { path: '', message, line, column: col };
}

// zod's own words are generic ("Invalid input"); these name what was expected and what was found.
// The raw issue still has `inst` here, so unknown keys can be compared with the keys the object knows.
function messageFor(issue: z.core.$ZodRawIssue, knownKeys: Map<string, string[]>): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      if (shape) knownKeys.set(pathId(issue.path ?? []), Object.keys(shape));
      return 'unknown key';
    }
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected}, got ${describeType(issue.input)}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value));
      const expected = values.length === 1 ? `must be ${values[0]}` : `expected one of ${values.join(', ')}`;
      return `${expected}, got ${describeType(issue.input)}`;
    }
    default:
      return undefined;
  }
}

interface LocatedIssue extends PolicyIssue {
  pathKeys: PathKey[];
}

function toPolicyIssues(issue: z.core.$ZodIssue, knownKeys: Map<string, string[]>): LocatedIssue[] {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys.get(pathId(path)) ?? [];
    return issue.keys.map((key) => {
      const located: LocatedIssue = { path: formatPath([...path, key]), pathKeys: [...path, key], message: 'unknown key' };
      const suggestion = didYouMean(key, known.filter((candidate) => !(issue.input && Object.hasOwn(issue.input, candidate))));
      located.hint = suggestion !== undefined ? `did you mean ${suggestion}?` : known.length > 0 ? `known keys: ${known.join(', ')}` : undefined;
      if (located.hint === undefined) delete located.hint;
      return located;
    });
  }
  const located: LocatedIssue = { path: formatPath(path), pathKeys: path, message: issue.message };
  if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
    const suggestion = didYouMean(issue.input, issue.values.filter((value): value is string => typeof value === 'string'));
    if (suggestion !== undefined) located.hint = `did you mean ${suggestion}?`;
  }
  return [located];
}

/** spec.rules.sizeBudget.maxCompressedSize, spec.exemptions[0].reason, metadata.labels["app.kubernetes.io/name"]. */
export function formatPath(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

function pathId(path: readonly PathKey[]): string {
  return JSON.stringify(path.map((key) => (typeof key === 'symbol' ? key.toString() : key)));
}

/**
 * Where an issue is in the file: the key itself for an unknown key, the value for a bad value, and
 * the nearest enclosing node that exists for a missing key.
 */
function positionOf(document: Document, lineCounter: LineCounter, issue: LocatedIssue): { line?: number; column?: number } {
  const path = issue.pathKeys;
  if (issue.message === 'unknown key' && path.length > 0) {
    const parent = document.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const wanted = path[path.length - 1];
      const pair = parent.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === wanted);
      const offset = pair && isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) return toLinePos(lineCounter, offset);
    }
  }
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return toLinePos(lineCounter, node.range[0]);
  }
  return {};
}

function toLinePos(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
