import { describe, expect, it } from 'vitest';
import type { ImageFacts } from '../../image-facts/image-facts.js';
import { detectBuildBase } from './detect-build-base.js';
import { alpine320, debianBookworm, debianBookwormSlim, distrolessJava, distrolessNodejs, distrolessStatic, ubuntu2404 } from './fixtures/base-images.js';
import { buildpackDepsBookworm } from './fixtures/buildpack-deps.js';
import { gcc14 } from './fixtures/gcc.js';
import { golang122Alpine, golang122Bookworm } from './fixtures/golang.js';
import { gradle8Jdk21, maven39Temurin21, temurin21Jdk, temurin21Jre } from './fixtures/java.js';
import { type FixtureFacts, withoutMetadata } from './fixtures/make-facts.js';
import {
  alpineWithGoPackage,
  goAppOnDistroless,
  goAppOnGolang,
  javaAppOnJre,
  nodeAppWithVirtualBuildDeps,
  slimWithBuildEssential,
} from './fixtures/multi-stage.js';
import { node20, node20Alpine, node20Slim } from './fixtures/node.js';
import { python312, python312Alpine, python312Slim } from './fixtures/python.js';
import { ruby33, ruby33Slim } from './fixtures/ruby.js';
import { rust180, rust180Slim } from './fixtures/rust.js';
import { httpd24, nginx127, postgres16, redis74 } from './fixtures/servers.js';
import { REMEDIATION_LIMIT } from './remediation.js';
import type { Ecosystem } from './types.js';

// The fixtures stand in for what the image source returns.
const asImageFacts: ImageFacts = golang122Bookworm;
void asImageFacts;

/** The same image pulled under a name that says nothing, with no annotations or labels: Env and history alone. */
function anonymous(facts: FixtureFacts): FixtureFacts {
  return { ...withoutMetadata(facts), reference: 'registry.example.com/mirror/image:1' };
}

/** The same history as Docker Hub's layer listing prints it: no `/bin/sh -c`, no `#(nop)`, no `# buildkit`. */
function asHubListing(facts: FixtureFacts): FixtureFacts {
  const history = facts.history.map((entry) => {
    let text = (entry.created_by ?? '').replace(/\s+# buildkit$/, '');
    if (text.startsWith('RUN /bin/sh -c ')) text = `RUN ${text.slice('RUN /bin/sh -c '.length)}`;
    else if (/^\/bin\/sh -c #\(nop\)\s+/.test(text)) text = text.replace(/^\/bin\/sh -c #\(nop\)\s+/, '');
    else if (text.startsWith('/bin/sh -c ')) text = `RUN ${text.slice('/bin/sh -c '.length)}`;
    else if (text.startsWith('# ')) text = `RUN ${text}`;
    return { ...entry, created_by: text };
  });
  return { ...facts, history };
}

interface BuildCase {
  name: string;
  facts: FixtureFacts;
  ecosystem: Ecosystem;
  /** The base named when the image is judged under its own name. */
  base: string;
  /** The base named from Env/history alone. */
  anonymousBase: string;
  /** Text the one-line fix must mention. */
  fix: string;
}

const BUILD_BASES: BuildCase[] = [
  { name: 'golang:1.22', facts: golang122Bookworm, ecosystem: 'go', base: 'golang:1.22', anonymousBase: 'golang:1.22', fix: 'gcr.io/distroless/static-debian12' },
  { name: 'golang:1.22-alpine', facts: golang122Alpine, ecosystem: 'go', base: 'golang:1.22-alpine', anonymousBase: 'golang:1.22', fix: 'gcr.io/distroless/static-debian12' },
  { name: 'node:20', facts: node20, ecosystem: 'node', base: 'node:20', anonymousBase: 'node:20', fix: 'node:20-slim' },
  { name: 'python:3.12', facts: python312, ecosystem: 'python', base: 'python:3.12', anonymousBase: 'python:3.12', fix: 'python:3.12-slim' },
  { name: 'ruby:3.3', facts: ruby33, ecosystem: 'ruby', base: 'ruby:3.3', anonymousBase: 'ruby:3.3', fix: 'ruby:3.3-slim' },
  { name: 'rust:1.80', facts: rust180, ecosystem: 'rust', base: 'rust:1.80', anonymousBase: 'rust:1.80', fix: 'gcr.io/distroless/cc-debian12' },
  { name: 'rust:1.80-slim', facts: rust180Slim, ecosystem: 'rust', base: 'rust:1.80-slim', anonymousBase: 'rust:1.80', fix: 'gcr.io/distroless/cc-debian12' },
  { name: 'maven:3.9-eclipse-temurin-21', facts: maven39Temurin21, ecosystem: 'java', base: 'maven:3.9-eclipse-temurin-21', anonymousBase: 'maven (JDK)', fix: 'eclipse-temurin:21-jre' },
  { name: 'gradle:8-jdk21', facts: gradle8Jdk21, ecosystem: 'java', base: 'gradle:8-jdk21', anonymousBase: 'gradle (JDK)', fix: 'eclipse-temurin:21-jre' },
  { name: 'eclipse-temurin:21-jdk', facts: temurin21Jdk, ecosystem: 'java', base: 'eclipse-temurin:21-jdk', anonymousBase: 'eclipse-temurin:21-jdk', fix: 'gcr.io/distroless/java21-debian12' },
  { name: 'buildpack-deps:bookworm', facts: buildpackDepsBookworm, ecosystem: 'c', base: 'buildpack-deps:bookworm', anonymousBase: 'buildpack-deps:bookworm', fix: 'gcr.io/distroless/cc-debian12' },
  { name: 'gcc:14', facts: gcc14, ecosystem: 'c', base: 'gcc:14', anonymousBase: 'gcc:14', fix: 'gcr.io/distroless/cc-debian12' },
];

const RUNTIME_BASES: [string, FixtureFacts][] = [
  ['alpine:3.20', alpine320],
  ['debian:bookworm', debianBookworm],
  ['debian:bookworm-slim', debianBookwormSlim],
  ['ubuntu:24.04', ubuntu2404],
  ['gcr.io/distroless/static-debian12', distrolessStatic],
  ['gcr.io/distroless/nodejs22-debian12', distrolessNodejs],
  ['gcr.io/distroless/java21-debian12', distrolessJava],
  ['node:20-slim', node20Slim],
  ['node:20-alpine', node20Alpine],
  ['python:3.12-slim', python312Slim],
  ['python:3.12-alpine', python312Alpine],
  ['ruby:3.3-slim', ruby33Slim],
  ['eclipse-temurin:21-jre', temurin21Jre],
  ['nginx:1.27', nginx127],
  ['redis:7.4', redis74],
  ['postgres:16', postgres16],
  ['httpd:2.4', httpd24],
];

describe('detectBuildBase on official build bases', () => {
  it.each(BUILD_BASES)('flags $name under its own name', ({ facts, ecosystem, base, fix }) => {
    const finding = detectBuildBase(facts);
    expect(finding.detected).toBe(true);
    expect(finding.ecosystem).toBe(ecosystem);
    expect(finding.base).toBe(base);
    expect(finding.remediation).toContain(fix);
    expect(finding.remediation!.length).toBeLessThanOrEqual(REMEDIATION_LIMIT);
    expect(finding.recipe).toMatch(/AS build[\s\S]*COPY --from=build/);
  });

  it.each(BUILD_BASES)('flags $name from its Env and history alone', ({ facts, ecosystem, anonymousBase }) => {
    const finding = detectBuildBase(anonymous(facts));
    expect(finding.detected).toBe(true);
    expect(finding.ecosystem).toBe(ecosystem);
    expect(finding.base).toBe(anonymousBase);
    expect(finding.evidence.some((item) => item.signal === 'env' || item.signal === 'history')).toBe(true);
  });

  it.each(BUILD_BASES)('reads $name the same from the Hub listing format', ({ facts, ecosystem, anonymousBase }) => {
    const finding = detectBuildBase(asHubListing(anonymous(facts)));
    expect(finding).toMatchObject({ detected: true, ecosystem, base: anonymousBase });
  });
});

describe('detectBuildBase on runtime bases', () => {
  it.each(RUNTIME_BASES)('passes %s', (_name, facts) => {
    const finding = detectBuildBase(facts);
    expect(finding.detected).toBe(false);
    expect(finding.base).toBeUndefined();
  });

  it.each(RUNTIME_BASES)('passes %s from Env and history alone, in the Hub listing format too', (_name, facts) => {
    expect(detectBuildBase(anonymous(facts)).detected).toBe(false);
    expect(detectBuildBase(asHubListing(anonymous(facts))).detected).toBe(false);
  });

  it('explains the transient compiler of python:3.12-slim instead of flagging it', () => {
    const finding = detectBuildBase(python312Slim);
    expect(finding.evidence).toContainEqual({
      signal: 'history',
      detail: expect.stringMatching(/^gcc installed and removed by the same RUN.*transient/) as string,
    });
  });

  it('explains the deleted virtual package of node:20-alpine', () => {
    const details = detectBuildBase(node20Alpine).evidence.map((item) => item.detail);
    expect(details.some((detail) => detail.includes('g++') && detail.includes('apk del .build-deps-full'))).toBe(true);
  });

  it('does not take the JRE JAVA_VERSION=jdk-… for a JDK', () => {
    expect(temurin21Jre.env).toContain('JAVA_VERSION=jdk-21.0.12+8');
    expect(detectBuildBase(anonymous(temurin21Jre)).detected).toBe(false);
  });
});

describe('detectBuildBase on multi-stage results', () => {
  it('passes a Go binary on distroless even though provenance lists golang', () => {
    const finding = detectBuildBase(goAppOnDistroless);
    expect(finding.detected).toBe(false);
    expect(finding.supportedByProvenance).toBeUndefined();
    expect(finding.evidence).toContainEqual({
      signal: 'provenance',
      detail: expect.stringContaining('golang:1.22') as string,
    });
  });

  it('passes a jar on eclipse-temurin:21-jre built with maven', () => {
    const finding = detectBuildBase(javaAppOnJre);
    expect(finding.detected).toBe(false);
  });

  it('flags a final stage FROM golang, with provenance supporting it', () => {
    const finding = detectBuildBase(goAppOnGolang);
    expect(finding).toMatchObject({ detected: true, ecosystem: 'go', base: 'golang:1.22', supportedByProvenance: true });
    expect(finding.evidence).toContainEqual({ signal: 'env', detail: 'ENV GOLANG_VERSION=1.22.6' });
    expect(finding.evidence.some((item) => item.signal === 'provenance' && item.detail.includes('golang:1.22'))).toBe(true);
  });

  it('says provenance does not support a finding when no material is the base found', () => {
    const facts: FixtureFacts = {
      ...goAppOnGolang,
      provenance: { predicateType: 'https://slsa.dev/provenance/v0.2', materials: [{ uri: 'pkg:docker/alpine@3.20', digest: {} }] },
    };
    const finding = detectBuildBase(facts);
    expect(finding.detected).toBe(true);
    expect(finding.supportedByProvenance).toBe(false);
  });

  it('passes a node:20-alpine app that deletes its .build-deps in the same RUN', () => {
    const finding = detectBuildBase(nodeAppWithVirtualBuildDeps);
    expect(finding.detected).toBe(false);
    expect(finding.evidence.some((item) => item.detail.includes('g++') && item.detail.includes('transient'))).toBe(true);
  });

  it('flags compilers added to a runtime base and kept', () => {
    const finding = detectBuildBase(slimWithBuildEssential);
    expect(finding).toMatchObject({ detected: true, ecosystem: 'c', base: 'build tools (build-essential)' });
    expect(finding.remediation).toContain('gcr.io/distroless/cc-debian12');
  });

  it("flags Alpine's Go package", () => {
    expect(detectBuildBase(alpineWithGoPackage)).toMatchObject({ detected: true, ecosystem: 'go' });
  });
});

describe('detectBuildBase signals', () => {
  it('takes the base annotation as a signal of its own', () => {
    const facts: FixtureFacts = {
      ...anonymous(debianBookworm),
      annotations: { 'org.opencontainers.image.base.name': 'docker.io/library/golang:1.23' },
    };
    const finding = detectBuildBase(facts);
    expect(finding).toMatchObject({ detected: true, ecosystem: 'go', base: 'golang:1.23' });
    expect(finding.evidence[0]).toEqual({ signal: 'annotation', detail: expect.stringContaining('golang:1.23') as string });
  });

  it('reads the base name from a label when there is no annotation', () => {
    const facts: FixtureFacts = { ...anonymous(debianBookworm), labels: { 'org.opencontainers.image.base.name': 'eclipse-temurin:17-jdk' } };
    expect(detectBuildBase(facts)).toMatchObject({ detected: true, ecosystem: 'java', base: 'eclipse-temurin:17-jdk' });
  });

  it('notes a runtime base annotation without flagging', () => {
    const finding = detectBuildBase(node20Slim);
    expect(finding.detected).toBe(false);
    expect(finding.evidence).toContainEqual({ signal: 'annotation', detail: expect.stringContaining('debian:bookworm-slim is a runtime base') as string });
  });

  it('names the topmost SDK: maven on a JDK is maven, with the JDK as more evidence', () => {
    const finding = detectBuildBase(anonymous(maven39Temurin21));
    expect(finding.base).toBe('maven (JDK)');
    const details = finding.evidence.map((item) => item.detail).join('\n');
    expect(details).toContain('ENV MAVEN_HOME=/usr/share/maven');
    expect(details).toContain('OpenJDK21U-jdk_');
  });

  it('names node:20 from NODE_VERSION, with the buildpack-deps compilers as evidence', () => {
    const finding = detectBuildBase(anonymous(node20));
    expect(finding.evidence.some((item) => item.signal === 'history' && /g\+\+, gcc.*never removed/.test(item.detail))).toBe(true);
    expect(finding.evidence).toContainEqual({ signal: 'env', detail: 'ENV NODE_VERSION=20.18.1' });
  });

  it('finds a Go toolchain downloaded in the final stage, unless the same RUN deletes it', () => {
    const download =
      "set -eux; url='https://dl.google.com/go/go1.20.5.linux-amd64.tar.gz'; wget -O go.tgz \"$url\"; tar -C /usr/local -xzf go.tgz; rm go.tgz; export PATH=\"/usr/local/go/bin:$PATH\"; go version";
    const kept: FixtureFacts = { ...anonymous(debianBookworm), history: [...debianBookworm.history, { created_by: `/bin/sh -c ${download}` }] };
    expect(detectBuildBase(kept)).toMatchObject({ detected: true, ecosystem: 'go', base: 'golang' });
    const thrownAway: FixtureFacts = {
      ...kept,
      history: [...debianBookworm.history, { created_by: `/bin/sh -c ${download}; go build -o /usr/local/bin/tool ./tool; rm -rf /usr/local/go` }],
    };
    expect(detectBuildBase(thrownAway).detected).toBe(false);
  });

  it('finds a toolchain copied whole into the final stage, not a binary copied out of it', () => {
    const withToolchain: FixtureFacts = {
      ...anonymous(alpine320),
      history: [...alpine320.history, { created_by: 'COPY /usr/local/go /usr/local/go # buildkit' }],
    };
    expect(detectBuildBase(withToolchain)).toMatchObject({ detected: true, ecosystem: 'go' });
    const withBinary: FixtureFacts = {
      ...anonymous(alpine320),
      history: [...alpine320.history, { created_by: 'COPY /usr/local/cargo/bin/app /usr/local/bin/app # buildkit' }],
    };
    expect(detectBuildBase(withBinary).detected).toBe(false);
  });

  it('does not count a JDK fetched only to jlink a runtime and deleted in the same RUN', () => {
    const jlink =
      "set -eux; wget -O /tmp/jdk.tgz 'https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.4%2B7/OpenJDK21U-jdk_x64_linux_hotspot_21.0.4_7.tar.gz'; mkdir /tmp/jdk; tar -xzf /tmp/jdk.tgz -C /tmp/jdk --strip-components 1; /tmp/jdk/bin/jlink --add-modules java.base --output /opt/java; rm -rf /tmp/jdk /tmp/jdk.tgz";
    const facts: FixtureFacts = { ...anonymous(debianBookwormSlim), history: [...debianBookwormSlim.history, { created_by: `RUN /bin/sh -c ${jlink} # buildkit` }] };
    expect(detectBuildBase(facts).detected).toBe(false);
  });

  it('lists the strongest signal first and never repeats evidence', () => {
    const finding = detectBuildBase(golang122Bookworm);
    expect(finding.evidence[0]?.signal).toBe('reference');
    const keys = finding.evidence.map((item) => `${item.signal}:${item.detail}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('detectBuildBase on incomplete facts', () => {
  it('reads missing lists as empty instead of throwing', () => {
    const sparse = { reference: 'docker.io/library/golang:1.22' } as unknown as FixtureFacts;
    expect(detectBuildBase(sparse)).toMatchObject({ detected: true, base: 'golang:1.22' });
    const odd = { ...anonymous(alpine320), provenance: { predicateType: 'x', materials: [{ uri: 'pkg:docker/golang@1.22' }] } } as unknown as FixtureFacts;
    expect(detectBuildBase(odd).detected).toBe(false);
  });
});

describe('detectBuildBase catalog (layer prefix)', () => {
  const golangEntry = {
    reference: 'golang:1.22',
    ecosystem: 'go' as const,
    diffIds: golang122Bookworm.diffIds,
    layerDigests: golang122Bookworm.layers.map((layer) => layer.digest),
  };
  // Env and history removed: only the layers can tell.
  const bare = (facts: FixtureFacts): FixtureFacts => ({ ...anonymous(facts), env: [], history: [] });

  it('flags an image whose layers start with all layers of a catalog build base', () => {
    const finding = detectBuildBase(bare(goAppOnGolang), { catalog: [golangEntry] });
    expect(finding).toMatchObject({ detected: true, ecosystem: 'go', base: 'golang:1.22' });
    expect(finding.evidence[0]?.signal).toBe('layers');
  });

  it('matches on compressed layer digests when diff_ids are not known', () => {
    const facts = { ...bare(goAppOnGolang), diffIds: [] };
    expect(detectBuildBase(facts, { catalog: [golangEntry] }).detected).toBe(true);
  });

  it('does not flag an image that shares only some of the base layers', () => {
    // debian-based images share golang's first layer, not all of them.
    const facts = { ...bare(goAppOnGolang), diffIds: goAppOnGolang.diffIds.slice(0, 3), layers: goAppOnGolang.layers.slice(0, 3) };
    expect(detectBuildBase(facts, { catalog: [golangEntry] }).detected).toBe(false);
  });

  it('prefers the nearest (longest) matching catalog image', () => {
    const shorter = { ...golangEntry, reference: 'buildpack-deps:bookworm-scm', ecosystem: 'c' as const, diffIds: golangEntry.diffIds.slice(0, 4), layerDigests: [] };
    const finding = detectBuildBase(bare(goAppOnGolang), { catalog: [shorter, golangEntry] });
    expect(finding.base).toBe('golang:1.22');
  });
});

describe('detectBuildBase policy options', () => {
  it('exempts a base matched by allowedBases and says which glob', () => {
    const finding = detectBuildBase(goAppOnGolang, { allowedBases: ['golang:*'] });
    expect(finding).toMatchObject({ detected: false, allowedBy: 'golang:*', base: 'golang:1.22', ecosystem: 'go' });
    expect(finding.evidence.at(-1)).toEqual({ signal: 'policy', detail: 'golang:1.22 is exempted by allowedBases "golang:*"' });
  });

  it('matches allowedBases against the normalized name and the repository without tag', () => {
    expect(detectBuildBase(golang122Bookworm, { allowedBases: ['docker.io/library/golang'] }).allowedBy).toBe('docker.io/library/golang');
    expect(detectBuildBase(anonymous(maven39Temurin21), { allowedBases: ['maven*'] }).allowedBy).toBe('maven*');
  });

  it('keeps the finding when no allowed glob matches', () => {
    const finding = detectBuildBase(goAppOnGolang, { allowedBases: ['node:*', 'eclipse-temurin:*-jdk'] });
    expect(finding.detected).toBe(true);
    expect(finding.allowedBy).toBeUndefined();
  });

  it('adds user-defined signatures, with their own remediation', () => {
    const facts: FixtureFacts = { ...anonymous(debianBookwormSlim), env: [...debianBookwormSlim.env, 'ACME_SDK_HOME=/opt/acme-sdk'] };
    const finding = detectBuildBase(facts, {
      extraSignatures: [{ name: 'acme/sdk', ecosystem: 'java', env: ['^ACME_SDK_HOME='], remediation: 'use acme/runtime instead' }],
    });
    expect(finding).toMatchObject({ detected: true, ecosystem: 'java', base: 'acme/sdk', remediation: 'use acme/runtime instead' });
    expect(finding.evidence).toContainEqual({ signal: 'env', detail: 'ENV ACME_SDK_HOME=/opt/acme-sdk' });
  });

  it('requires every pattern of a user-defined signature', () => {
    const signature = { name: 'acme/sdk', ecosystem: 'java' as const, env: ['^ACME_SDK_HOME='], history: ['acme-installer'] };
    const facts: FixtureFacts = { ...anonymous(debianBookwormSlim), env: ['ACME_SDK_HOME=/opt/acme-sdk'] };
    expect(detectBuildBase(facts, { extraSignatures: [signature] }).detected).toBe(false);
  });

  it('ignores a broken user-defined signature and says so', () => {
    const finding = detectBuildBase(anonymous(alpine320), {
      extraSignatures: [{ name: 'broken', ecosystem: 'go', history: ['(unclosed'] }],
    });
    expect(finding.detected).toBe(false);
    expect(finding.evidence).toContainEqual({ signal: 'signature', detail: expect.stringContaining('"broken" ignored') as string });
  });
});
