// The built-in fingerprints of build bases, as data. Each one is derived from how the upstream
// Dockerfile that makes the image is written, and from how a builder records it in the image:
// ENV survives into the config Env of every image built FROM it; RUN/COPY lines survive in history.
// What a multi-stage build leaves in a builder stage is in neither, so none of these can fire on a
// distroless image that only COPY --from=golang'd a binary.
import type { Ecosystem } from './types.js';

/** Reads the config Env as a map (first `=` splits; later duplicates win, as Docker applies them). */
export type EnvMap = ReadonlyMap<string, string>;

export interface BuiltInSignature {
  id: string;
  ecosystem: Ecosystem;
  /** Every pattern must match some `KEY=value` line of the config Env. */
  env?: readonly RegExp[];
  /** Every pattern must match the text of some history step ("RUN …", "COPY …"). */
  history?: readonly RegExp[];
  /** A step matching `history` does not count when it also matches this: the tool was removed in the same RUN. */
  historyUnless?: RegExp;
  /** Env lines that corroborate a match (shown as evidence), never required. */
  alsoEnv?: readonly RegExp[];
  /** The base this signature names, from the image's Env (versions). */
  base: (env: EnvMap) => string;
  /** Ranks this signal when several name a base: the most specific one names the finding. */
  specificity: number;
  /** Where the fingerprint comes from. */
  source: string;
}

/** "1.22.6" → "1.22"; "20.18.1" with parts 1 → "20". Undefined when there is no leading version. */
export function versionPrefix(version: string | undefined, parts: number): string | undefined {
  const match = /^v?(\d+(?:\.\d+)*)/.exec(version ?? '');
  if (!match) return undefined;
  return match[1]!.split('.').slice(0, parts).join('.');
}

/** Java feature release from JAVA_VERSION forms: "jdk-21.0.4+7", "21.0.1", "17-ea+28", "1.8.0_412", "jdk8u412-b08". */
export function javaMajor(version: string | undefined): string | undefined {
  const match = /(?:^|jdk-?)(\d+)(?:u|\.|\+|-|_|$)/.exec(version ?? '');
  if (!match) return undefined;
  if (match[1] === '1') {
    const legacy = /^1\.(\d+)/.exec(version ?? '');
    return legacy?.[1];
  }
  return match[1];
}

const named = (repository: string, version: string | undefined): string => (version ? `${repository}:${version}` : repository);

export const BUILT_IN_SIGNATURES: readonly BuiltInSignature[] = [
  {
    // docker-library/golang Dockerfile-linux.template: `ENV GOLANG_VERSION`, `ENV GOTOOLCHAIN=local`,
    // `ENV GOPATH /go`, `ENV PATH $GOPATH/bin:/usr/local/go/bin:$PATH` in the final stage (alpine too);
    // the toolchain itself arrives by `COPY --from=build --link /target/ /`. Only the official image
    // (and images built FROM it) carries GOLANG_VERSION; PATH is not required since a final stage may
    // rewrite it.
    id: 'golang-env',
    ecosystem: 'go',
    env: [/^GOLANG_VERSION=\S/],
    alsoEnv: [/^GOTOOLCHAIN=/, /^PATH=.*\/usr\/local\/go\/bin/],
    base: (env) => named('golang', versionPrefix(env.get('GOLANG_VERSION'), 2)),
    specificity: 90,
    source: 'docker-library/golang: ENV GOLANG_VERSION',
  },
  {
    // Older golang images and hand-rolled Go images download the release tarball in the final stage:
    // `url='https://dl.google.com/go/go1.20.5.linux-amd64.tar.gz'`, `go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz`.
    id: 'golang-download',
    ecosystem: 'go',
    history: [/\bgo(?:\d[\w.]*|\$\{?\w+\}?)\.linux-(?:[\w]+|\$\{?\w+\}?)\.tar\.gz\b/],
    // A RUN that builds a tool with a throw-away Go and deletes it (`rm -rf /usr/local/go`) ships no Go.
    historyUnless: /\brm\s+(?:-\S+\s+)*(?:[^\s;&|]*\/go|"?\$\{?GOROOT\}?"?)\/?(?=[\s;&|]|$)/,
    base: (env) => named('golang', versionPrefix(env.get('GOLANG_VERSION') ?? env.get('GO_VERSION'), 2)),
    specificity: 84,
    source: 'docker-library/golang (pre-1.21 templates) and go.dev install instructions: go*.linux-*.tar.gz into /usr/local/go',
  },
  {
    // `COPY --from=golang:1.22 /usr/local/go /usr/local/go` ships the whole toolchain into the final stage
    // (BuildKit records it as `COPY /usr/local/go /usr/local/go`); copying a built binary does not match.
    id: 'golang-toolchain-copied',
    ecosystem: 'go',
    history: [/^COPY\s+(?:--\S+\s+)*\/usr\/local\/go\/?\s/],
    base: () => 'golang',
    specificity: 84,
    source: 'multi-stage COPY of /usr/local/go (the golang image GOROOT)',
  },
  {
    // rust-lang/docker-rust Dockerfile-debian.template / -slim / -alpine:
    // `ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH RUST_VERSION=1.80.1`.
    // History is not used: ruby:*-slim runs rustup-init too, into /tmp/rust, and deletes it in the same RUN.
    id: 'rust-env',
    ecosystem: 'rust',
    env: [/^RUSTUP_HOME=\S/, /^CARGO_HOME=\S/],
    alsoEnv: [/^RUST_VERSION=/, /^PATH=.*\/usr\/local\/cargo\/bin/],
    base: (env) => named('rust', versionPrefix(env.get('RUST_VERSION'), 2)),
    specificity: 90,
    source: 'rust-lang/docker-rust: ENV RUSTUP_HOME CARGO_HOME RUST_VERSION',
  },
  {
    id: 'rust-toolchain-copied',
    ecosystem: 'rust',
    history: [/^COPY\s+(?:--\S+\s+)*\/usr\/local\/(?:cargo|rustup)\/?\s/],
    base: () => 'rust',
    specificity: 84,
    source: 'multi-stage COPY of /usr/local/cargo or /usr/local/rustup (the rust image toolchain)',
  },
  {
    // carlossg/docker-maven eclipse-temurin-*/Dockerfile: `ENV MAVEN_HOME=/usr/share/maven`,
    // `COPY --from=maven /usr/share/maven …`, `ENV MAVEN_CONFIG "$USER_HOME_DIR/.m2"`; FROM eclipse-temurin:*-jdk.
    id: 'maven-env',
    ecosystem: 'java',
    env: [/^MAVEN_HOME=\S/],
    alsoEnv: [/^MAVEN_CONFIG=/, /^JAVA_HOME=/],
    base: () => 'maven (JDK)',
    specificity: 92,
    source: 'carlossg/docker-maven: ENV MAVEN_HOME',
  },
  {
    // Hand-rolled Maven installs: `…/apache-maven-3.9.6-bin.tar.gz`.
    id: 'maven-download',
    ecosystem: 'java',
    history: [/apache-maven-(?:\d[\w.]*|\$\{?\w+\}?)-bin\.(?:tar\.gz|zip)\b/],
    base: () => 'maven (JDK)',
    specificity: 92,
    source: 'Apache Maven binary distribution download',
  },
  {
    // gradle/docker-gradle jdk*/Dockerfile: `ENV GRADLE_HOME=/opt/gradle`, `ENV GRADLE_VERSION=8.x`,
    // download of https://services.gradle.org/distributions/gradle-${GRADLE_VERSION}-bin.zip.
    id: 'gradle-env',
    ecosystem: 'java',
    env: [/^GRADLE_HOME=\S/],
    alsoEnv: [/^GRADLE_VERSION=/, /^JAVA_HOME=/],
    base: () => 'gradle (JDK)',
    specificity: 92,
    source: 'gradle/docker-gradle: ENV GRADLE_HOME',
  },
  {
    id: 'gradle-download',
    ecosystem: 'java',
    history: [/services\.gradle\.org\/distributions\/gradle-/],
    base: () => 'gradle (JDK)',
    specificity: 92,
    source: 'gradle/docker-gradle: gradle-*-bin.zip download',
  },
  {
    // adoptium/containers (eclipse-temurin) */jdk/*/Dockerfile: BINARY_URL='…/OpenJDK21U-jdk_x64_linux_hotspot_….tar.gz'.
    // The JRE images download OpenJDK21U-jre_… instead, although their ENV JAVA_VERSION also reads jdk-21….
    id: 'temurin-jdk-download',
    ecosystem: 'java',
    history: [/OpenJDK\d+U-jdk_/],
    // A RUN that fetches a JDK only to jlink a runtime and then deletes it ships no javac.
    historyUnless: /\bjlink\b[\s\S]*\brm\s+-\S*r/,
    alsoEnv: [/^JAVA_HOME=/, /^JAVA_VERSION=/],
    base: (env) => named('eclipse-temurin', javaMajor(env.get('JAVA_VERSION')) ? `${javaMajor(env.get('JAVA_VERSION'))}-jdk` : undefined),
    specificity: 85,
    source: 'adoptium/containers: OpenJDK<N>U-jdk_ binary (JRE images fetch OpenJDK<N>U-jre_)',
  },
  {
    // adoptium/containers JDK verification step (`echo "javac --version"; javac --version;`) and
    // docker-library/openjdk's smoke test (`javac --version; java --version`); JRE images only run java.
    id: 'jdk-javac-check',
    ecosystem: 'java',
    history: [/\bjavac\s+-{1,2}version\b/],
    alsoEnv: [/^JAVA_HOME=/, /^JAVA_VERSION=/],
    base: (env) => (javaMajor(env.get('JAVA_VERSION')) ? `JDK ${javaMajor(env.get('JAVA_VERSION'))}` : 'JDK'),
    specificity: 85,
    source: 'adoptium/containers and docker-library/openjdk: javac --version in the JDK install check',
  },
  {
    // docker-library/openjdk */jdk/Dockerfile: downloadUrl=https://download.java.net/java/…/openjdk-17.0.2_linux-x64_bin.tar.gz
    // (jdk.java.net publishes JDK builds only).
    id: 'openjdk-download',
    ecosystem: 'java',
    history: [/download\.java\.net\/java\/\S*openjdk-\S*_linux-\S*_bin\.tar\.gz/],
    base: (env) => named('openjdk', javaMajor(env.get('JAVA_VERSION'))),
    specificity: 85,
    source: 'docker-library/openjdk: openjdk-*_linux-*_bin.tar.gz from download.java.net',
  },
  {
    // corretto/corretto-docker */jdk/al2023/Dockerfile installs java-21-amazon-corretto-devel (headless
    // images install only -headless); the Debian variant installs java-21-amazon-corretto-jdk.
    id: 'corretto-jdk',
    ecosystem: 'java',
    history: [/java-\d+-amazon-corretto-(?:devel|jdk)\b/],
    base: (env) => named('amazoncorretto', /java-(\d+)-amazon-corretto/.exec(env.get('JAVA_HOME') ?? '')?.[1]),
    specificity: 85,
    source: 'corretto/corretto-docker: java-<N>-amazon-corretto-devel / -jdk',
  },
  {
    // dotnet/dotnet-docker src/sdk/*/Dockerfile: ENV DOTNET_SDK_VERSION (runtime/aspnet images set
    // DOTNET_VERSION / ASPNET_VERSION only).
    id: 'dotnet-sdk-env',
    ecosystem: 'dotnet',
    env: [/^DOTNET_SDK_VERSION=\S/],
    base: (env) => named('mcr.microsoft.com/dotnet/sdk', versionPrefix(env.get('DOTNET_SDK_VERSION'), 2)),
    specificity: 90,
    source: 'dotnet/dotnet-docker: ENV DOTNET_SDK_VERSION',
  },
  {
    // docker-library/gcc Dockerfile.template: `ENV GCC_VERSION 14.1.0`, builds gcc into /usr/local and
    // makes it /usr/bin/cc (FROM buildpack-deps, which keeps Debian's gcc too).
    id: 'gcc-env',
    ecosystem: 'c',
    env: [/^GCC_VERSION=\d/],
    base: (env) => named('gcc', versionPrefix(env.get('GCC_VERSION'), 1)),
    specificity: 90,
    source: 'docker-library/gcc: ENV GCC_VERSION',
  },
];

/**
 * Language runtimes whose official full variants (FROM buildpack-deps) keep a compiler: when kept
 * build tools are found, the runtime's ENV names the base (node:20, python:3.12, ruby:3.3).
 * The -slim/-alpine variants set the same ENV but remove their compilers in the same RUN.
 */
export interface LanguageRuntime {
  ecosystem: Ecosystem;
  variable: string;
  repository: string;
  versionParts: number;
  source: string;
}

export const LANGUAGE_RUNTIMES: readonly LanguageRuntime[] = [
  { ecosystem: 'node', variable: 'NODE_VERSION', repository: 'node', versionParts: 1, source: 'docker-library/node: ENV NODE_VERSION' },
  { ecosystem: 'python', variable: 'PYTHON_VERSION', repository: 'python', versionParts: 2, source: 'docker-library/python: ENV PYTHON_VERSION' },
  { ecosystem: 'ruby', variable: 'RUBY_VERSION', repository: 'ruby', versionParts: 2, source: 'docker-library/ruby: ENV RUBY_VERSION' },
  { ecosystem: 'other', variable: 'PHP_VERSION', repository: 'php', versionParts: 2, source: 'docker-library/php: ENV PHP_VERSION' },
];

/**
 * docker-library/buildpack-deps debian/*\/Dockerfile: one RUN that installs the compilers with the
 * -dev headers (`autoconf automake bzip2 … g++ gcc imagemagick libbz2-dev libc6-dev … libmagickwand-dev …
 * make patch unzip xz-utils zlib1g-dev`) and never removes them. node, python, ruby, rust, gcc and
 * friends are built FROM it. This pattern names such a kept install "buildpack-deps".
 */
export const BUILDPACK_DEPS_INSTALL = /\bapt-get\s+install\b(?=[\s\S]*\bg\+\+)(?=[\s\S]*\blibc6-dev\b)(?=[\s\S]*\blibmagickwand-dev\b)/;

/** A package that puts a compiler or an SDK on the filesystem. */
export interface BuildToolPackage {
  pattern: RegExp;
  /** What it ships, for evidence: "gcc", "g++", "Go toolchain", "JDK". */
  tool: string;
  ecosystem: Ecosystem;
}

// Names across apt (Debian/Ubuntu), apk (Alpine), dnf/yum/microdnf (RHEL family) and zypper.
// make, cmake, autoconf, -dev headers are build tools too, but without a compiler they do not make
// an image a build base, so they are not listed.
export const BUILD_TOOL_PACKAGES: readonly BuildToolPackage[] = [
  { pattern: /^gcc(?:-\d+(?:\.\d+)*)?$/, tool: 'gcc', ecosystem: 'c' },
  { pattern: /^(?:g\+\+(?:-\d+)?|gcc-c\+\+)$/, tool: 'g++', ecosystem: 'c' },
  { pattern: /^clang(?:-?\d+)?$/, tool: 'clang', ecosystem: 'c' },
  { pattern: /^gfortran(?:-\d+)?$/, tool: 'gfortran', ecosystem: 'c' },
  { pattern: /^(?:build-essential|build-base|alpine-sdk|development tools|@development-tools)$/, tool: 'C toolchain', ecosystem: 'c' },
  { pattern: /^(?:golang|golang-go|golang-\d+(?:\.\d+)?(?:-go)?|go)$/, tool: 'Go toolchain', ecosystem: 'go' },
  { pattern: /^(?:rust|rustc|cargo|rust-all)$/, tool: 'Rust toolchain', ecosystem: 'rust' },
  {
    pattern:
      /^(?:openjdk-\d+-jdk(?:-headless)?|openjdk\d+-jdk|openjdk\d+|default-jdk(?:-headless)?|java-[\d.]+-openjdk-devel|java-\d+-amazon-corretto-(?:devel|jdk)|amazon-corretto-\d+|temurin-\d+-jdk|msopenjdk-\d+)$/,
    tool: 'JDK',
    ecosystem: 'java',
  },
  { pattern: /^(?:maven|gradle)$/, tool: 'Java build tool', ecosystem: 'java' },
  { pattern: /^dotnet-sdk-\d+\.\d+$/, tool: '.NET SDK', ecosystem: 'dotnet' },
];

export function buildToolFor(packageName: string): BuildToolPackage | undefined {
  return BUILD_TOOL_PACKAGES.find((entry) => entry.pattern.test(packageName));
}
