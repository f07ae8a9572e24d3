// Platform parsing, normalization and choice, following containerd's `platforms` package
// (Parse, Normalize, Only) so that slimguard judges the manifest a node would pull.
import { isAttestationDescriptor } from './attestation.js';
import { OciFormatError } from './errors.js';
import { isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

export { findAttestationFor, isAttestationDescriptor } from './attestation.js';

const OS_AND_VERSION = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$/;
const COMPONENT = /^[A-Za-z0-9_.-]+$/;
const SPECIFIER_HELP = 'expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8';

/**
 * Parses `os[(os.version)]/arch[/variant]` ("linux/arm64/v8", "windows(10.0.20348)/amd64").
 * Lower-cases os, architecture and variant but does not normalize aliases: see normalizePlatform.
 * Unlike containerd, a lone "linux" or "arm64" is refused: filling in the local machine's
 * platform would make the answer depend on where slimguard runs.
 */
export function parsePlatform(text: string): Platform {
  const fail = (problem: string): never => {
    throw new OciFormatError('INVALID_PLATFORM', `invalid platform ${JSON.stringify(String(text).slice(0, 100))}: ${problem}`);
  };
  if (typeof text !== 'string') return fail(SPECIFIER_HELP);
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3) return fail(SPECIFIER_HELP);
  const [osPart = '', architecture = '', variant] = parts;
  const osMatch = OS_AND_VERSION.exec(osPart);
  if (osMatch === null) return fail(`OS ${JSON.stringify(osPart)} may only contain letters, digits, "_" and "-" (${SPECIFIER_HELP})`);
  if (!COMPONENT.test(architecture)) return fail(`architecture ${JSON.stringify(architecture)} is not valid (${SPECIFIER_HELP})`);
  if (variant !== undefined && !COMPONENT.test(variant)) return fail(`variant ${JSON.stringify(variant)} is not valid (${SPECIFIER_HELP})`);

  const platform: Platform = { os: (osMatch[1] ?? '').toLowerCase(), architecture: architecture.toLowerCase() };
  if (variant !== undefined) platform.variant = variant.toLowerCase();
  const osVersion = osMatch[2];
  if (osVersion !== undefined && osVersion !== '') platform['os.version'] = osVersion;
  return platform;
}

/** "linux/arm/v7", "linux/amd64"; "unknown" when the OS is empty (as containerd's Format). */
export function formatPlatform(platform: Platform): string {
  if (platform.os === '') return 'unknown';
  return [platform.os, platform.architecture, platform.variant ?? ''].filter((part) => part !== '').join('/');
}

/**
 * containerd's platforms.Normalize: macos -> darwin; aarch64 -> arm64 with v8 (the default) written
 * as no variant; x86_64/x86-64 -> amd64 with v1 written as no variant; i386 -> 386; armhf -> arm/v7;
 * armel -> arm/v6; arm without variant -> arm/v7.
 */
export function normalizePlatform(platform: Platform): Platform {
  const [architecture, variant] = normalizeArchitecture(platform.architecture, platform.variant ?? '');
  const normalized: Platform = { os: normalizeOs(platform.os), architecture };
  if (variant !== '') normalized.variant = variant;
  if (platform['os.version'] !== undefined) normalized['os.version'] = platform['os.version'];
  if (platform['os.features'] !== undefined) normalized['os.features'] = [...platform['os.features']];
  return normalized;
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArchitecture(rawArchitecture: string, rawVariant: string): [string, string] {
  const architecture = rawArchitecture.toLowerCase();
  const variant = rawVariant.toLowerCase();
  switch (architecture) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') return ['arm64', ''];
      if (variant === '9' || variant === '9.0' || variant === 'v9.0') return ['arm64', 'v9'];
      return ['arm64', variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (variant === '5' || variant === '6' || variant === '8') return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [architecture, variant];
  }
}

/** Same OS, architecture and variant after normalization ("linux/arm64" matches "linux/aarch64/v8"). */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  const a = normalizePlatform(wanted);
  const b = normalizePlatform(candidate);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** The runnable platforms an index offers, in index order, attestations left out. */
export function listPlatforms(index: ImageIndex): Platform[] {
  const seen = new Set<string>();
  const platforms: Platform[] = [];
  for (const descriptor of runnableEntries(index)) {
    const platform = descriptor.platform;
    const key = `${formatPlatform(platform)} ${platform['os.version'] ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    platforms.push(platform);
  }
  return platforms;
}

/**
 * The image manifest of `index` a node of platform `wanted` runs, or undefined. Preference:
 * 1. the exact variant (after normalization);
 * 2. an older variant the machine also runs, closest first, as containerd's platforms.Only does
 *    (amd64/v3 runs v2 then v1; arm/v7 runs v6 then v5; arm64/v8.2 runs v8.1 then v8);
 * 3. only when `wanted` names no variant (a Kubernetes node reports just "amd64"): a newer numbered
 *    variant, oldest first, because the node most likely is a current CPU and the image has nothing else.
 * Architectures never cross (an amd64 node is not matched to a 386 image). Attestations, entries
 * without a platform and nested indexes are skipped. Among equals, a matching os.version wins, then
 * index order.
 */
export function choosePlatformManifest(index: ImageIndex, wanted: Platform): Descriptor | undefined {
  const target = normalizePlatform(wanted);
  const targetVariant = target.variant ?? '';
  const olderVariants = compatibleOlderVariants(target.architecture, targetVariant);
  const mayTakeNewer = wanted.variant === undefined || wanted.variant === '';

  let best: { descriptor: Descriptor; rank: number[] } | undefined;
  for (const descriptor of runnableEntries(index)) {
    const candidate = normalizePlatform(descriptor.platform);
    if (candidate.os !== target.os || candidate.architecture !== target.architecture) continue;
    const candidateVariant = candidate.variant ?? '';

    let tier: number;
    let distance: number;
    if (candidateVariant === targetVariant) {
      tier = 0;
      distance = 0;
    } else if (olderVariants.includes(candidateVariant)) {
      tier = 1;
      distance = olderVariants.indexOf(candidateVariant);
    } else {
      const candidateLevel = variantLevel(candidate.architecture, candidateVariant);
      const targetLevel = variantLevel(target.architecture, targetVariant);
      if (!mayTakeNewer || candidateLevel === undefined || targetLevel === undefined || candidateLevel <= targetLevel) continue;
      tier = 2;
      distance = candidateLevel - targetLevel;
    }
    const osVersionMismatch =
      target['os.version'] !== undefined && descriptor.platform['os.version'] !== target['os.version'] ? 1 : 0;
    const rank = [tier, distance, osVersionMismatch];
    if (best === undefined || isLower(rank, best.rank)) best = { descriptor, rank };
  }
  return best?.descriptor;
}

type RunnableDescriptor = Descriptor & { platform: Platform };

function runnableEntries(index: ImageIndex): RunnableDescriptor[] {
  return index.manifests.filter(
    (descriptor): descriptor is RunnableDescriptor =>
      descriptor.platform !== undefined && isManifestMediaType(descriptor.mediaType) && !isAttestationDescriptor(descriptor),
  );
}

function isLower(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

// arm64 compatibility as in containerd's compare.go: v8.x runs v8.(x-1)..v8; v9.x also runs
// v9.(x-1)..v9 and then v8.(x+5)..v8 (capped at v8.9).
function compatibleOlderVariants(architecture: string, variant: string): string[] {
  const older: string[] = [];
  if (architecture === 'amd64') {
    const level = variantLevel('amd64', variant);
    for (let v = (level ?? 1) - 1; v >= 1; v--) older.push(v === 1 ? '' : `v${v}`);
  } else if (architecture === 'arm') {
    const level = variantLevel('arm', variant);
    for (let v = (level ?? 5) - 1; v >= 5; v--) older.push(`v${v}`);
  } else if (architecture === 'arm64') {
    const version = arm64Version(variant);
    if (version === undefined) return older;
    const [major, minor] = version;
    for (let m = minor - 1; m >= 0; m--) older.push(arm64Variant(major, m));
    if (major === 9) for (let m = Math.min(minor + 5, 9); m >= 0; m--) older.push(arm64Variant(8, m));
  }
  return older;
}

/** A number that orders variants of one architecture, or undefined for variants that cannot be ordered. */
function variantLevel(architecture: string, variant: string): number | undefined {
  if (architecture === 'arm64') {
    const version = arm64Version(variant);
    return version === undefined ? undefined : version[0] * 100 + version[1];
  }
  if (architecture === 'amd64' && variant === '') return 1;
  const match = /^v(\d{1,3})$/.exec(variant);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function arm64Version(variant: string): [number, number] | undefined {
  if (variant === '') return [8, 0];
  const match = /^v([89])(?:\.(\d))?$/.exec(variant);
  if (match?.[1] === undefined) return undefined;
  return [Number(match[1]), Number(match[2] ?? '0')];
}

function arm64Variant(major: number, minor: number): string {
  if (major === 8 && minor === 0) return ''; // normalized form of arm64/v8
  return minor === 0 ? `v${major}` : `v${major}.${minor}`;
}
