import { familiarName, parseImageName, tagTokens } from './image-name.js';
import type { Ecosystem } from './types.js';

export type BaseKind = 'build' | 'runtime' | 'unknown';

export interface BaseClassification {
  kind: BaseKind;
  ecosystem?: Ecosystem;
  /** The familiar name that was classified, e.g. "golang:1.22-alpine". */
  name: string;
  /** Why, in a few words ("golang images ship the Go toolchain"). */
  reason: string;
}

type TagRule = (tokens: string[]) => { kind: BaseKind; reason: string };

interface RepositoryRule {
  /** Familiar repositories ("golang") or prefixes ending in "/" ("gcr.io/distroless/"). */
  repositories: readonly string[];
  ecosystem?: Ecosystem;
  classify: TagRule;
  /** The variant is in the tag (node:20 vs node:20-slim): a name pinned by digest alone says nothing. */
  byTag?: true;
}

const has = (tokens: string[], ...words: string[]): boolean =>
  tokens.some((token) => words.some((word) => token === word || (token.startsWith(word) && /^\d/.test(token.slice(word.length)))));

const always =
  (kind: BaseKind, reason: string): TagRule =>
  () => ({ kind, reason });

// node, python, ruby…: the default and codename tags (node:20, python:3.12-bookworm) are FROM
// buildpack-deps and keep gcc/make; -slim is FROM debian:*-slim and purges its build deps in the
// same RUN; -alpine deletes its `.build-deps` virtual package. (docker-library/node, python, ruby)
const fullUnlessSlim: TagRule = (tokens) => {
  if (has(tokens, 'slim')) return { kind: 'runtime', reason: 'the -slim variant purges its build dependencies' };
  if (has(tokens, 'alpine')) return { kind: 'runtime', reason: 'the -alpine variant deletes its build dependencies' };
  if (has(tokens, 'windowsservercore', 'nanoserver')) return { kind: 'unknown', reason: 'Windows variant' };
  return { kind: 'build', reason: 'the full variant is built FROM buildpack-deps and keeps gcc, make and -dev headers' };
};

// JDK distributions: a "jre" (or headless/headful Corretto) tag ships only the runtime, every other
// tag (eclipse-temurin:21, :21-jdk, openjdk:17, amazoncorretto:21) ships javac.
const jdkUnlessJre: TagRule = (tokens) =>
  has(tokens, 'jre', 'headless', 'headful')
    ? { kind: 'runtime', reason: 'a JRE ships no compiler' }
    : { kind: 'build', reason: 'a JDK ships javac' };

// Servlet containers come with either; without a marker we cannot tell.
const jdkOrJre: TagRule = (tokens) => {
  if (has(tokens, 'jre')) return { kind: 'runtime', reason: 'a JRE ships no compiler' };
  if (has(tokens, 'jdk')) return { kind: 'build', reason: 'the jdk variant ships javac' };
  return { kind: 'unknown', reason: 'JDK or JRE not named in the tag' };
};

const RULES: readonly RepositoryRule[] = [
  // SDK images: every tag ships the toolchain (golang:*-alpine too: docker-library/golang copies
  // /usr/local/go into the alpine image as well).
  { repositories: ['golang'], ecosystem: 'go', classify: always('build', 'golang images ship the Go toolchain') },
  { repositories: ['rust'], ecosystem: 'rust', classify: always('build', 'rust images ship rustc and cargo (and gcc)') },
  { repositories: ['maven'], ecosystem: 'java', classify: always('build', 'maven images ship Maven on a JDK') },
  { repositories: ['gradle'], ecosystem: 'java', classify: always('build', 'gradle images ship Gradle on a JDK') },
  { repositories: ['clojure'], ecosystem: 'java', classify: always('build', 'clojure images ship a JDK and build tools') },
  { repositories: ['gcc'], ecosystem: 'c', classify: always('build', 'gcc images ship the GNU compilers') },
  { repositories: ['haskell', 'dart'], ecosystem: 'other', classify: always('build', 'the image ships a compiler toolchain') },
  {
    repositories: ['buildpack-deps'],
    ecosystem: 'c',
    byTag: true,
    classify: (tokens) =>
      has(tokens, 'curl', 'scm')
        ? { kind: 'unknown', reason: 'the -curl and -scm layers of buildpack-deps carry no compiler' }
        : { kind: 'build', reason: 'buildpack-deps installs gcc, g++, make and -dev headers' },
  },
  {
    repositories: ['eclipse-temurin', 'openjdk', 'amazoncorretto', 'ibm-semeru-runtimes', 'sapmachine', 'ibmjava', 'bellsoft/liberica-openjdk-debian', 'bellsoft/liberica-openjdk-alpine'],
    ecosystem: 'java',
    classify: jdkUnlessJre,
    byTag: true,
  },
  { repositories: ['tomcat', 'jetty'], ecosystem: 'java', classify: jdkOrJre, byTag: true },
  { repositories: ['node'], ecosystem: 'node', classify: fullUnlessSlim, byTag: true },
  { repositories: ['python', 'pypy'], ecosystem: 'python', classify: fullUnlessSlim, byTag: true },
  { repositories: ['ruby'], ecosystem: 'ruby', classify: fullUnlessSlim, byTag: true },
  { repositories: ['perl', 'erlang', 'elixir', 'swift'], ecosystem: 'other', classify: fullUnlessSlim, byTag: true },
  { repositories: ['mcr.microsoft.com/dotnet/sdk', 'mcr.microsoft.com/dotnet/nightly/sdk'], ecosystem: 'dotnet', classify: always('build', 'the .NET SDK image ships the compilers') },
  {
    repositories: ['mcr.microsoft.com/dotnet/runtime', 'mcr.microsoft.com/dotnet/runtime-deps', 'mcr.microsoft.com/dotnet/aspnet', 'mcr.microsoft.com/dotnet/nightly/runtime', 'mcr.microsoft.com/dotnet/nightly/aspnet'],
    ecosystem: 'dotnet',
    classify: always('runtime', '.NET runtime image'),
  },
  { repositories: ['cgr.dev/chainguard/go'], ecosystem: 'go', classify: always('build', 'Chainguard Go toolchain image') },
  { repositories: ['cgr.dev/chainguard/rust'], ecosystem: 'rust', classify: always('build', 'Chainguard Rust toolchain image') },
  {
    repositories: ['cgr.dev/chainguard/maven', 'cgr.dev/chainguard/gradle', 'cgr.dev/chainguard/jdk'],
    ecosystem: 'java',
    classify: always('build', 'Chainguard JDK image'),
  },
  { repositories: ['cgr.dev/chainguard/gcc-glibc'], ecosystem: 'c', classify: always('build', 'Chainguard gcc image') },
  {
    repositories: ['cgr.dev/chainguard/static', 'cgr.dev/chainguard/glibc-dynamic', 'cgr.dev/chainguard/jre'],
    classify: always('runtime', 'Chainguard runtime image'),
  },
  // Distroless: runtime only, by design (GoogleContainerTools/distroless).
  { repositories: ['gcr.io/distroless/'], classify: always('runtime', 'distroless images ship no toolchain') },
  {
    repositories: ['scratch', 'alpine', 'busybox', 'debian', 'ubuntu', 'centos', 'rockylinux', 'almalinux', 'fedora', 'amazonlinux', 'oraclelinux', 'photon', 'opensuse/leap', 'opensuse/tumbleweed'],
    classify: always('runtime', 'an operating-system base without compilers'),
  },
  {
    repositories: ['registry.access.redhat.com/ubi8/ubi', 'registry.access.redhat.com/ubi8/ubi-minimal', 'registry.access.redhat.com/ubi8/ubi-micro', 'registry.access.redhat.com/ubi9/ubi', 'registry.access.redhat.com/ubi9/ubi-minimal', 'registry.access.redhat.com/ubi9/ubi-micro'],
    classify: always('runtime', 'a UBI base without compilers'),
  },
  {
    repositories: ['nginx', 'nginxinc/nginx-unprivileged', 'redis', 'valkey/valkey', 'postgres', 'httpd', 'mysql', 'mariadb', 'mongo', 'memcached', 'rabbitmq', 'traefik', 'caddy', 'haproxy'],
    classify: always('runtime', 'a server image whose build dependencies are removed in the same RUN'),
  },
];

function ruleFor(familiarRepository: string): RepositoryRule | undefined {
  return RULES.find((rule) =>
    rule.repositories.some((repository) =>
      repository.endsWith('/') ? familiarRepository.startsWith(repository) : familiarRepository === repository,
    ),
  );
}

/**
 * Classifies a base image name or reference ("golang:1.22", "docker.io/library/node:20-slim",
 * "gcr.io/distroless/static-debian12@sha256:…") as a build base, a runtime base, or unknown.
 * Only names in the table are classified; anything else is "unknown", never a guess.
 */
export function classifyBaseName(text: string): BaseClassification {
  const parsed = parseImageName(text);
  const name = familiarName(parsed);
  const rule = ruleFor(parsed.familiarRepository);
  if (!rule) return { kind: 'unknown', name, reason: 'not a known base image' };
  if (rule.byTag && parsed.tag === undefined && parsed.digest !== undefined) {
    return { kind: 'unknown', name, reason: 'the variant is named by the tag, and this name has only a digest' };
  }
  // No tag and no digest means :latest, which for these repositories is the default (full) variant.
  const { kind, reason } = rule.classify(tagTokens(parsed.tag ?? 'latest'));
  const result: BaseClassification = { kind, name, reason };
  if (rule.ecosystem !== undefined) result.ecosystem = rule.ecosystem;
  return result;
}
