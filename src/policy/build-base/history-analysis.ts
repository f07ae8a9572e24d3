import type { HistoryEntry } from '../../oci/types.js';
import { parseHistoryStep, type HistoryStep } from './history-step.js';
import { splitShellCommands } from './shell-words.js';
import { buildToolFor, type EnvMap } from './signatures.js';
import type { Ecosystem } from './types.js';

export type PackageManager = 'apt' | 'apk' | 'dnf' | 'zypper';

/** A compiler/SDK package some RUN installed. */
export interface ToolInstall {
  /** The package name as installed ("gcc", "g++", "openjdk-17-jdk"). */
  package: string;
  /** What it ships ("gcc", "JDK", "Go toolchain"). */
  tool: string;
  ecosystem: Ecosystem;
  manager: PackageManager;
  /** History index of the RUN that installed it. */
  step: number;
  /** The apk virtual package it came in (`apk add --virtual .build-deps …`). */
  virtual?: string;
}

/** A tool install that a later command took away again. */
export interface RemovedToolInstall extends ToolInstall {
  /** History index of the RUN that removed it. */
  removedAt: number;
  /** Installed and removed by the same RUN: never in any layer, so transient. */
  sameRun: boolean;
  /** The removing command, in words: "apk del .build-deps". */
  how: string;
}

export interface HistoryAnalysis {
  steps: HistoryStep[];
  /** Tools still installed after the last history step: they are in the final filesystem. */
  kept: ToolInstall[];
  /** Tools installed and removed again (same RUN: transient; later RUN: gone from the final view). */
  removed: RemovedToolInstall[];
}

interface Installed {
  install: ToolInstall;
  /** apk world entries that keep it: "world" (named directly) or virtual package names. */
  holders: Set<string>;
}

/** Per-RUN state of apt's auto/manual marks: `apt-mark auto '.*'` + `apt-get purge --auto-remove` removes this RUN's installs. */
interface AptMarks {
  allAuto: boolean;
  auto: Set<string>;
  manual: Set<string>;
}

const SHELL_PREFIXES = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', '{', '}', 'exec', 'command', 'sudo', 'nohup', 'nice', 'fi', 'done']);
const DECLARATIONS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
const XARGS_VALUE_OPTIONS = new Set(['-I', '-i', '-n', '-P', '-d', '-L', '-l', '-s', '-a', '-E', '-e', '--max-args', '--max-procs', '--delimiter', '--arg-file']);
const APT_VALUE_OPTIONS = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']);
const APK_VALUE_OPTIONS = new Set(['-X', '--repository', '-p', '--root', '--arch', '--keys-dir', '--repositories-file', '--cache-dir', '--cache-max-age', '-t', '--virtual', '--timeout']);
const DNF_VALUE_OPTIONS = new Set(['-x', '--exclude', '--installroot', '--releasever', '--enablerepo', '--disablerepo', '--repo', '--setopt', '-c', '--config']);
const ZYPPER_VALUE_OPTIONS = new Set(['-r', '--repo', '-t', '--type', '--from']);

/**
 * Follows every package-manager call in the image's history and tells which compilers/SDKs are
 * still installed at the end. Installing and removing in the same RUN is the standard way official
 * runtime images build from source (`apk add --virtual .build-deps … && apk del .build-deps`,
 * `apt-mark auto '.*' … apt-get purge -y --auto-remove`): such tools never reach a layer.
 */
export function analyzeHistory(history: readonly HistoryEntry[], env: EnvMap): HistoryAnalysis {
  const steps = history.map((entry, index) => parseHistoryStep(entry, index));
  const installed = new Map<string, Installed>();
  const virtuals = new Map<string, Set<string>>();
  const removed: RemovedToolInstall[] = [];

  for (const step of steps) {
    if (step.instruction !== 'RUN') continue;
    const vars = new Map(env);
    const installedThisRun: string[] = [];
    const marks: AptMarks = { allAuto: false, auto: new Set(), manual: new Set() };

    const take = (name: string, how: string, holder?: string): void => {
      const entry = installed.get(name);
      if (!entry) return;
      if (holder !== undefined) {
        entry.holders.delete(holder);
        if (entry.holders.size > 0) return;
      }
      installed.delete(name);
      removed.push({ ...entry.install, removedAt: step.index, sameRun: entry.install.step === step.index, how });
    };

    const install = (operands: string[], manager: PackageManager, virtual?: string): void => {
      if (virtual !== undefined && !virtuals.has(virtual)) virtuals.set(virtual, new Set());
      for (const operand of operands) {
        const name = packageName(operand, manager);
        if (name === undefined) continue;
        const tool = buildToolFor(name);
        if (!tool) continue;
        const holder = virtual ?? 'world';
        const existing = installed.get(name);
        if (existing) {
          existing.holders.add(holder);
        } else {
          const record: ToolInstall = { package: name, tool: tool.tool, ecosystem: tool.ecosystem, manager, step: step.index };
          if (virtual !== undefined) record.virtual = virtual;
          installed.set(name, { install: record, holders: new Set([holder]) });
          installedThisRun.push(name);
        }
        if (virtual !== undefined) virtuals.get(virtual)!.add(name);
      }
    };

    const aptAutoremove = (how: string): void => {
      if (marks.allAuto) {
        for (const name of installedThisRun) if (!marks.manual.has(name)) take(name, how);
      }
      for (const name of marks.auto) if (!marks.manual.has(name)) take(name, how);
    };

    for (const rawWords of splitShellCommands(step.body)) {
      const words = commandWords(rawWords, vars);
      if (words.length === 0) continue;
      const program = words[0]!.slice(words[0]!.lastIndexOf('/') + 1);
      const args = expandAll(words.slice(1), vars);

      if (program === 'apt-get' || program === 'apt' || program === 'aptitude') {
        const { positional, flags } = readOptions(args, APT_VALUE_OPTIONS);
        const [subcommand, ...operands] = positional;
        if (subcommand === 'install') install(operands, 'apt');
        else if (subcommand === 'remove' || subcommand === 'purge') {
          for (const operand of operands) {
            const name = packageName(operand, 'apt');
            if (name !== undefined) take(name, `${program} ${subcommand} ${name}`);
          }
          if (flags.has('--auto-remove') || flags.has('--autoremove')) aptAutoremove(`apt-mark auto + ${program} ${subcommand} --auto-remove`);
        } else if (subcommand === 'autoremove' || subcommand === 'autopurge') {
          aptAutoremove(`apt-mark auto + ${program} ${subcommand}`);
        }
      } else if (program === 'apt-mark') {
        const [subcommand, ...operands] = readOptions(args, new Set()).positional;
        if (subcommand === 'auto' || subcommand === 'markauto') {
          // `apt-mark auto '.*'`, or names fed by xargs (`apt-mark showmanual | xargs apt-mark auto`).
          const literal = operands.filter((operand) => /^[a-z0-9][a-z0-9+.-]*$/.test(operand) && !operand.includes('*'));
          if (operands.length === 0 || literal.length < operands.length) marks.allAuto = true;
          for (const name of literal) {
            marks.auto.add(name);
            marks.manual.delete(name);
          }
        } else if (subcommand === 'manual' || subcommand === 'unmarkauto') {
          for (const operand of operands) {
            const name = packageName(operand, 'apt');
            if (name !== undefined) marks.manual.add(name);
          }
        }
      } else if (program === 'dpkg') {
        const removing = args.some((arg) => ['-r', '--remove', '-P', '--purge'].includes(arg));
        if (removing) {
          for (const operand of args) {
            const name = operand.startsWith('-') ? undefined : packageName(operand, 'apt');
            if (name !== undefined) take(name, `dpkg --purge ${name}`);
          }
        }
      } else if (program === 'apk') {
        const { positional, values } = readOptions(args, APK_VALUE_OPTIONS);
        const [subcommand, ...operands] = positional;
        if (subcommand === 'add') {
          install(operands, 'apk', values.get('--virtual') ?? values.get('-t'));
        } else if (subcommand === 'del') {
          for (const operand of operands) {
            const name = packageName(operand, 'apk');
            if (name === undefined) continue;
            const group = virtuals.get(name);
            if (group) {
              for (const member of group) take(member, `apk del ${name}`, name);
              virtuals.delete(name);
            } else {
              take(name, `apk del ${name}`, 'world');
            }
          }
        }
      } else if (['dnf', 'yum', 'microdnf', 'tdnf'].includes(program)) {
        const { positional } = readOptions(args, DNF_VALUE_OPTIONS);
        let [subcommand, ...operands] = positional;
        if (subcommand === 'group' || subcommand === 'groups') [subcommand, ...operands] = operands;
        if (subcommand === 'install' || subcommand === 'groupinstall' || subcommand === 'reinstall') install(operands, 'dnf');
        else if (subcommand === 'remove' || subcommand === 'erase' || subcommand === 'autoremove' || subcommand === 'groupremove') {
          for (const operand of operands) {
            const name = packageName(operand, 'dnf');
            if (name !== undefined) take(name, `${program} ${subcommand} ${name}`);
          }
        }
      } else if (program === 'zypper') {
        const [subcommand, ...operands] = readOptions(args, ZYPPER_VALUE_OPTIONS).positional;
        if (subcommand === 'in' || subcommand === 'install') install(operands, 'zypper');
        else if (subcommand === 'rm' || subcommand === 'remove') {
          for (const operand of operands) {
            const name = packageName(operand, 'zypper');
            if (name !== undefined) take(name, `zypper ${subcommand} ${name}`);
          }
        }
      }
    }
  }

  return { steps, kept: [...installed.values()].map((entry) => entry.install), removed };
}

/**
 * The words of a simple command after what the shell would consume first: keywords (`if`, `then`,
 * `!`, `sudo`), leading assignments (recorded as variables), and an `xargs` runner (its command
 * gets its arguments from stdin, so only the named ones are known).
 */
function commandWords(words: string[], vars: Map<string, string>): string[] {
  let index = 0;
  while (index < words.length) {
    const word = words[index]!;
    if (SHELL_PREFIXES.has(word)) {
      index += 1;
    } else if (DECLARATIONS.has(word)) {
      for (const rest of words.slice(index + 1)) recordAssignment(rest, vars);
      return [];
    } else if (recordAssignment(word, vars)) {
      index += 1;
    } else if (word === 'env') {
      index += 1;
      while (index < words.length && words[index]!.startsWith('-')) index += 1;
    } else if (word === 'xargs') {
      index += 1;
      while (index < words.length && words[index]!.startsWith('-')) {
        index += XARGS_VALUE_OPTIONS.has(words[index]!) ? 2 : 1;
      }
    } else {
      break;
    }
  }
  return words.slice(index);
}

function recordAssignment(word: string, vars: Map<string, string>): boolean {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(word);
  if (!match) return false;
  vars.set(match[1]!, expandWord(match[2]!, vars));
  return true;
}

/** `$VAR` / `${VAR}` replaced by known values; unknown ones are left as written. */
function expandWord(word: string, vars: ReadonlyMap<string, string>): string {
  return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const value = vars.get((braced ?? bare)!);
    return value ?? whole;
  });
}

/** Expands each word; a word that is exactly one known variable splits into its words (unquoted expansion). */
function expandAll(words: string[], vars: ReadonlyMap<string, string>): string[] {
  return words.flatMap((word) => {
    const only = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word);
    if (only && vars.has(only[1]!)) return vars.get(only[1]!)!.split(/\s+/).filter((part) => part !== '');
    return [expandWord(word, vars)];
  });
}

interface Options {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

function readOptions(args: string[], valueOptions: ReadonlySet<string>): Options {
  const options: Options = { positional: [], flags: new Set(), values: new Map() };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg.startsWith('-') && arg !== '-') {
      const equals = arg.indexOf('=');
      if (arg.startsWith('--') && equals !== -1) {
        options.values.set(arg.slice(0, equals), arg.slice(equals + 1));
      } else if (valueOptions.has(arg) && index + 1 < args.length) {
        options.values.set(arg, args[index + 1]!);
        index += 1;
      } else {
        options.flags.add(arg);
      }
    } else {
      options.positional.push(arg);
    }
  }
  return options;
}

/** The package name in an operand ("gcc=4:12.2.0-3", "gcc:amd64", "gcc>=13", "gcc@edge"), or undefined. */
function packageName(operand: string, manager: PackageManager): string | undefined {
  if (operand === '' || operand.startsWith('-') || /\$|`/.test(operand)) return undefined;
  let name = operand.toLowerCase();
  if (manager === 'apk') name = name.split(/[=<>~@]/)[0]!;
  else if (manager === 'apt') name = name.split(/[=/]/)[0]!.replace(/:[a-z0-9]+$/, '');
  else name = name.split(/[<>=]/)[0]!.trim();
  return name === '' ? undefined : name;
}
