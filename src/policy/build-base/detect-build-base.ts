import type { Evidence } from '../types.js';
import { allowedBy } from './allowed-bases.js';
import { classifyBaseName } from './base-names.js';
import { compileSignatures } from './extra-signatures.js';
import { analyzeHistory, type HistoryAnalysis, type ToolInstall } from './history-analysis.js';
import { stepExcerpt, stepText, type HistoryStep } from './history-step.js';
import { matchCatalog } from './layer-prefix.js';
import { builderOnlyNotes, provenanceImages, provenanceSupport } from './provenance-support.js';
import { remediationFor } from './remediation.js';
import {
  BUILDPACK_DEPS_INSTALL,
  BUILT_IN_SIGNATURES,
  LANGUAGE_RUNTIMES,
  versionPrefix,
  type EnvMap,
} from './signatures.js';
import type { BuildBaseFacts, BuildBaseFinding, BuildBaseOptions, Ecosystem } from './types.js';

export const BASE_NAME_KEY = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_KEY = 'org.opencontainers.image.base.digest';

/** One signal that says the final image ships a build base. */
interface Hit {
  ecosystem: Ecosystem;
  base: string;
  /** The most specific hit names the finding (see SPECIFICITY). */
  specificity: number;
  evidence: Evidence[];
  remediation?: string;
}

// How well a signal names the base; all of them detect equally. The image's own name beats
// everything; fingerprints of the topmost SDK (maven on a JDK) beat the parent the final stage was
// built FROM (its annotation); a runtime's Env names a kept compiler better than "buildpack-deps".
const SPECIFICITY = {
  reference: 100,
  userSignature: 91,
  catalog: 80,
  annotation: 75,
  languageFull: 60,
  languageWithTools: 55,
  sdkPackage: 50,
  buildpackDeps: 45,
  annotationBuildpackDeps: 44,
  compilers: 30,
} as const;

/**
 * Decides whether the final image ships a build base (an SDK or compiler image) by combining
 * independent signals, each reported as evidence:
 *  1. the image's own name, and its `org.opencontainers.image.base.name` annotation (or label);
 *  2. fingerprints of SDK images in the Env and history the final stage inherited, plus compilers
 *     installed and never removed (installs removed in the same RUN are transient and ignored);
 *  3. its layers starting with all layers of a catalog build base.
 * BuildKit provenance lists builder stages too, so it only corroborates a finding made by 1–3.
 * Pure: no I/O, never throws on odd input.
 */
export function detectBuildBase(input: BuildBaseFacts, options: BuildBaseOptions = {}): BuildBaseFinding {
  const facts = tolerant(input);
  const env = envMap(facts.env);
  const analysis = analyzeHistory(facts.history, env);
  const hits: Hit[] = [];
  const notes: Evidence[] = [];

  const reference = classifyBaseName(facts.reference);
  if (reference.kind === 'build' && reference.ecosystem) {
    hits.push({
      ecosystem: reference.ecosystem,
      base: reference.name,
      specificity: SPECIFICITY.reference,
      evidence: [{ signal: 'reference', detail: `the image is ${reference.name} itself: ${reference.reason}` }],
    });
  }

  const annotated = annotatedBase(facts);
  if (annotated) {
    const classification = classifyBaseName(annotated.value);
    if (classification.kind === 'build' && classification.ecosystem) {
      const generic = classification.name.startsWith('buildpack-deps');
      hits.push({
        ecosystem: classification.ecosystem,
        base: classification.name,
        specificity: generic ? SPECIFICITY.annotationBuildpackDeps : SPECIFICITY.annotation,
        evidence: [{ signal: annotated.signal, detail: `${BASE_NAME_KEY}=${annotated.value}: ${classification.reason}` }],
      });
    } else {
      const what = classification.kind === 'runtime' ? `a runtime base (${classification.reason})` : 'not a known build base';
      notes.push({ signal: annotated.signal, detail: `${BASE_NAME_KEY}=${annotated.value} is ${what}` });
    }
  }

  hits.push(...builtInSignatureHits(env, analysis.steps));
  hits.push(...userSignatureHits(options.extraSignatures ?? [], env, analysis.steps, notes));
  hits.push(...keptToolHits(analysis, env));
  notes.push(...removedToolNotes(analysis));

  const catalogMatch = matchCatalog(facts, options.catalog ?? []);
  if (catalogMatch) {
    const { entry, by, layers, of } = catalogMatch;
    hits.push({
      ecosystem: entry.ecosystem,
      base: entry.reference,
      specificity: SPECIFICITY.catalog,
      evidence: [
        {
          signal: 'layers',
          detail: `the first ${layers} of ${of} layers (${by === 'diffIds' ? 'diff_ids' : 'layer digests'}) are those of ${entry.reference}`,
        },
      ],
    });
  }

  const images = provenanceImages(facts);
  if (hits.length === 0) {
    notes.push(...builderOnlyNotes(images));
    return { detected: false, evidence: dedupe(notes) };
  }

  const best = hits.reduce((top, hit) => (hit.specificity > top.specificity ? hit : top));
  const ordered = [...hits].sort((a, b) => b.specificity - a.specificity);
  const evidence = ordered.flatMap((hit) => hit.evidence);
  const fix = remediationFor(best.ecosystem, best.base, env);
  const finding: BuildBaseFinding = {
    detected: true,
    ecosystem: best.ecosystem,
    base: best.base,
    evidence,
    remediation: best.remediation ?? fix.remediation,
    recipe: fix.recipe,
  };

  if (facts.provenance) {
    const baseNames = hits.map((hit) => hit.base);
    const support = provenanceSupport({ ecosystem: best.ecosystem, baseNames }, images, facts.annotations[BASE_DIGEST_KEY]);
    finding.supportedByProvenance = support.supported;
    evidence.push(...support.evidence);
  }

  const allowed = options.allowedBases ?? [];
  if (allowed.length > 0) {
    const names = [best.base];
    if (annotated && classifyBaseName(annotated.value).kind === 'build') names.push(annotated.value);
    if (catalogMatch) names.push(catalogMatch.entry.reference);
    const glob = allowedBy(allowed, names);
    if (glob !== undefined) {
      finding.detected = false;
      finding.allowedBy = glob;
      evidence.push({ signal: 'policy', detail: `${best.base} is exempted by allowedBases "${glob}"` });
    }
  }

  finding.evidence = dedupe(evidence);
  return finding;
}

/** Facts from any source, with missing lists read as empty (an OCI layout may carry no history). */
function tolerant(facts: BuildBaseFacts): BuildBaseFacts {
  const tolerantFacts: BuildBaseFacts = {
    reference: facts.reference ?? '',
    env: (facts.env ?? []).filter((line): line is string => typeof line === 'string'),
    labels: facts.labels ?? {},
    annotations: facts.annotations ?? {},
    history: facts.history ?? [],
    layers: facts.layers ?? [],
    diffIds: facts.diffIds ?? [],
  };
  if (facts.provenance) tolerantFacts.provenance = { ...facts.provenance, materials: facts.provenance.materials ?? [] };
  return tolerantFacts;
}

function envMap(lines: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    const equals = line.indexOf('=');
    if (equals > 0) map.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return map;
}

/** The manifest annotation wins; a label of the same name (inherited or set by the user) is next. */
function annotatedBase(facts: BuildBaseFacts): { value: string; signal: string } | undefined {
  const annotation = facts.annotations[BASE_NAME_KEY];
  if (annotation !== undefined && annotation.trim() !== '') return { value: annotation.trim(), signal: 'annotation' };
  const label = facts.labels[BASE_NAME_KEY];
  if (label !== undefined && label.trim() !== '') return { value: label.trim(), signal: 'label' };
  return undefined;
}

/** Evidence lines for a set of env/history patterns that all match; undefined when one does not. */
function matchPatterns(
  envPatterns: readonly RegExp[],
  historyPatterns: readonly RegExp[],
  env: EnvMap,
  steps: readonly HistoryStep[],
  historyUnless?: RegExp,
): Evidence[] | undefined {
  const envLines = [...env].map(([key, value]) => `${key}=${value}`);
  const evidence: Evidence[] = [];
  for (const pattern of envPatterns) {
    const line = envLines.find((candidate) => pattern.test(candidate));
    if (line === undefined) return undefined;
    evidence.push({ signal: 'env', detail: `ENV ${shorten(line)}` });
  }
  for (const pattern of historyPatterns) {
    const step = steps.find(
      (candidate) =>
        (pattern.test(stepText(candidate)) || pattern.test(candidate.raw)) && !(historyUnless?.test(stepText(candidate)) ?? false),
    );
    if (step === undefined) return undefined;
    evidence.push({ signal: 'history', detail: `history[${step.index}]: ${matchExcerpt(step, pattern)}` });
  }
  return evidence;
}

function builtInSignatureHits(env: EnvMap, steps: readonly HistoryStep[]): Hit[] {
  const hits: Hit[] = [];
  for (const signature of BUILT_IN_SIGNATURES) {
    const evidence = matchPatterns(signature.env ?? [], signature.history ?? [], env, steps, signature.historyUnless);
    if (!evidence) continue;
    for (const pattern of signature.alsoEnv ?? []) {
      const also = matchPatterns([pattern], [], env, steps);
      if (also) evidence.push(...also);
    }
    hits.push({ ecosystem: signature.ecosystem, base: signature.base(env), specificity: signature.specificity, evidence });
  }
  return hits;
}

function userSignatureHits(values: readonly unknown[], env: EnvMap, steps: readonly HistoryStep[], notes: Evidence[]): Hit[] {
  const { compiled, rejected } = compileSignatures(values);
  for (const { name, problems } of rejected) {
    notes.push({ signal: 'signature', detail: `extra signature ${JSON.stringify(name)} ignored: ${problems.join('; ')}` });
  }
  const hits: Hit[] = [];
  for (const { signature, env: envPatterns, history } of compiled) {
    const evidence = matchPatterns(envPatterns, history, env, steps);
    if (!evidence) continue;
    const hit: Hit = {
      ecosystem: signature.ecosystem,
      base: signature.name,
      specificity: SPECIFICITY.userSignature,
      evidence: [{ signal: 'signature', detail: `matches the policy's signature ${JSON.stringify(signature.name)}` }, ...evidence],
    };
    if (signature.remediation !== undefined) hit.remediation = signature.remediation;
    hits.push(hit);
  }
  return hits;
}

/** Compilers and SDK packages the history installs and never removes. */
function keptToolHits(analysis: HistoryAnalysis, env: EnvMap): Hit[] {
  if (analysis.kept.length === 0) return [];
  const hits: Hit[] = [];
  const describe = (installs: readonly ToolInstall[]): Evidence[] => {
    const bySteps = new Map<number, ToolInstall[]>();
    for (const install of installs) bySteps.set(install.step, [...(bySteps.get(install.step) ?? []), install]);
    return [...bySteps].map(([index, group]) => ({
      signal: 'history',
      detail: `${group.map((install) => install.package).join(', ')} installed by history[${index}] and never removed: ${stepExcerpt(analysis.steps[index]!, 90)}`,
    }));
  };

  const sdkEcosystems = new Set(analysis.kept.filter((install) => install.ecosystem !== 'c').map((install) => install.ecosystem));
  for (const ecosystem of sdkEcosystems) {
    const installs = analysis.kept.filter((install) => install.ecosystem === ecosystem);
    hits.push({
      ecosystem,
      base: `${installs.map((install) => install.package).join(', ')} (${installs[0]!.tool})`,
      specificity: SPECIFICITY.sdkPackage,
      evidence: describe(installs),
    });
  }

  const compilers = analysis.kept.filter((install) => install.ecosystem === 'c');
  if (compilers.length > 0) {
    const fromBuildpackDeps = compilers.some((install) => BUILDPACK_DEPS_INSTALL.test(stepText(analysis.steps[install.step]!)));
    const evidence = describe(compilers);
    const runtime = LANGUAGE_RUNTIMES.find((candidate) => env.has(candidate.variable));
    if (runtime) {
      const version = versionPrefix(env.get(runtime.variable), runtime.versionParts);
      const name = version ? `${runtime.repository}:${version}` : runtime.repository;
      evidence.push({ signal: 'env', detail: `ENV ${runtime.variable}=${env.get(runtime.variable)}` });
      hits.push({
        ecosystem: runtime.ecosystem,
        base: fromBuildpackDeps ? name : `${name} + build tools (${compilers.map((install) => install.package).join(', ')})`,
        specificity: fromBuildpackDeps ? SPECIFICITY.languageFull : SPECIFICITY.languageWithTools,
        evidence,
      });
    } else if (fromBuildpackDeps) {
      const codename = debianCodename(analysis.steps);
      hits.push({
        ecosystem: 'c',
        base: codename ? `buildpack-deps:${codename}` : 'buildpack-deps',
        specificity: SPECIFICITY.buildpackDeps,
        evidence,
      });
    } else {
      hits.push({
        ecosystem: 'c',
        base: `build tools (${compilers.map((install) => install.package).join(', ')})`,
        specificity: SPECIFICITY.compilers,
        evidence,
      });
    }
  }
  return hits;
}

function removedToolNotes(analysis: HistoryAnalysis): Evidence[] {
  const byStep = new Map<string, string[]>();
  for (const removed of analysis.removed) {
    const key = removed.sameRun
      ? `installed and removed by the same RUN, history[${removed.step}] (${removed.how}): transient`
      : `installed by history[${removed.step}], removed by history[${removed.removedAt}] (${removed.how})`;
    byStep.set(key, [...(byStep.get(key) ?? []), removed.package]);
  }
  return [...byStep].map(([key, packages]) => ({
    signal: 'history',
    detail: `${packages.join(', ')} ${key}; not in the final filesystem`,
  }));
}

/** debuerreotype's rootfs line: `# debian.sh --arch 'amd64' out/ 'bookworm' '@1720396800'`. */
function debianCodename(steps: readonly HistoryStep[]): string | undefined {
  for (const step of steps) {
    const match = /debian\.sh\b.*?\bout\/\s+'?([a-z]+)'?/.exec(step.raw);
    if (match) return match[1];
  }
  return undefined;
}

/** The step's instruction and the text around what the pattern matched, on one line. */
function matchExcerpt(step: HistoryStep, pattern: RegExp): string {
  const text = stepText(step).replace(/\s+/g, ' ').trim();
  const match = pattern.exec(text);
  if (!match || text.length <= 120) return stepExcerpt(step);
  const start = Math.max(0, match.index - 40);
  const end = Math.min(text.length, match.index + match[0].length + 60);
  const head = start > 0 ? `${step.instruction} …` : '';
  return `${head}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

function shorten(text: string, limit = 120): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function dedupe(evidence: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((item) => {
    const key = `${item.signal}\u0000${item.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
