// Reads the final stage of a Dockerfile into what BuildKit would put in the image config: USER,
// LABELs (ARGs substituted with their defaults), ENV, ENTRYPOINT, CMD, EXPOSE, WORKDIR and one
// history line per instruction. Enough of the Dockerfile syntax for slimguard's own file; it
// throws on what it does not understand rather than guessing.

export interface FinalStage {
  /** The FROM of the last stage, ARGs substituted. */
  base: string;
  user?: string;
  labels: Record<string, string>;
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  exposedPorts: string[];
  /** `created_by` of each instruction, as BuildKit writes them. */
  history: { created_by: string; empty_layer: boolean }[];
  /** Every stage's FROM, in order. */
  stages: string[];
}

/** Instructions, continuation lines joined, comments and blank lines dropped. */
function instructions(text: string): { keyword: string; rest: string }[] {
  const joined = text.replace(/\\\n(\s*#.*\n)*/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\S+)\s+(.*)$/.exec(line);
      if (!match) throw new Error(`Dockerfile: cannot read the instruction "${line}"`);
      return { keyword: match[1]!.toUpperCase(), rest: match[2]!.trim() };
    });
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    if (!(name in args)) throw new Error(`Dockerfile: ${whole} has no default value`);
    return args[name]!;
  });
}

/** `key="value" key2=value2` (LABEL and the key=value form of ENV). */
function keyValues(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const pattern = /([\w.\-/]+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*/y;
  let position = 0;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) throw new Error(`Dockerfile: expected key=value pairs in "${text}"`);
    pairs.push([match[1]!, match[2] ?? match[3]!]);
    position = pattern.lastIndex;
  }
  return pairs;
}

function execForm(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`Dockerfile: expected a JSON list of strings, got ${text}`);
  return parsed;
}

export function parseFinalStage(text: string): FinalStage {
  const globalArgs: Record<string, string> = {};
  const stages: string[] = [];
  let stage: FinalStage | undefined;
  let stageArgs: Record<string, string> = {};
  for (const { keyword, rest } of instructions(text)) {
    if (keyword === 'ARG') {
      const [name, value] = rest.split('=', 2) as [string, string | undefined];
      const target = stage === undefined ? globalArgs : stageArgs;
      // `ARG NAME` inside a stage brings the global default in.
      target[name] = value !== undefined ? value : (globalArgs[name] ?? '');
      continue;
    }
    if (keyword === 'FROM') {
      const base = substitute(rest.split(/\s+/)[0]!, globalArgs);
      stages.push(base);
      stage = { base, labels: {}, env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], exposedPorts: [], history: [], stages };
      stageArgs = {};
      continue;
    }
    if (stage === undefined) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    const value = () => substitute(rest, stageArgs);
    switch (keyword) {
      case 'USER':
        stage.user = value();
        break;
      case 'LABEL':
        for (const [key, label] of keyValues(value())) stage.labels[key] = label;
        break;
      case 'ENV':
        for (const [key, env] of keyValues(value())) stage.env.push(`${key}=${env}`);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = execForm(rest);
        break;
      case 'CMD':
        stage.cmd = execForm(rest);
        break;
      case 'WORKDIR':
        stage.workingDir = value();
        break;
      case 'EXPOSE':
        stage.exposedPorts.push(...value().split(/\s+/).map((port) => (port.includes('/') ? port : `${port}/tcp`)));
        break;
      case 'COPY':
      case 'RUN':
      case 'ADD':
        break;
      default:
        throw new Error(`Dockerfile: instruction ${keyword} is not understood by this reader`);
    }
    const makesLayer = ['COPY', 'RUN', 'ADD', 'WORKDIR'].includes(keyword);
    const createdBy = keyword === 'RUN' ? `RUN /bin/sh -c ${rest} # buildkit` : makesLayer ? `${keyword} ${value()} # buildkit` : `${keyword} ${value()}`;
    stage.history.push({ created_by: createdBy, empty_layer: !makesLayer });
  }
  if (stage === undefined) throw new Error('Dockerfile: no FROM');
  return stage;
}
