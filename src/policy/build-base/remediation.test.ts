import { describe, expect, it } from 'vitest';
import { REMEDIATION_LIMIT, remediationFor } from './remediation.js';
import { ECOSYSTEMS } from './types.js';

const env = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('remediationFor', () => {
  it.each([
    ['go', 'golang:1.22', {}, ['golang:1.22', 'gcr.io/distroless/static-debian12']],
    ['go', undefined, { GOLANG_VERSION: '1.23.4' }, ['golang:1.23']],
    ['java', 'maven (JDK)', { JAVA_VERSION: 'jdk-21.0.2+13' }, ['maven:3-eclipse-temurin-21', 'eclipse-temurin:21-jre', 'gcr.io/distroless/java21-debian12']],
    ['java', 'eclipse-temurin:17-jdk', {}, ['eclipse-temurin:17-jre', 'gcr.io/distroless/java17-debian12']],
    ['java', 'JDK 11', { JAVA_VERSION: '11.0.24' }, ['eclipse-temurin:11-jre']],
    ['node', 'node:22', {}, ['node:22-slim', 'gcr.io/distroless/nodejs22-debian12']],
    ['node', 'node:18', {}, ['node:18-slim']],
    ['python', 'python:3.12', {}, ['python:3.12-slim']],
    ['ruby', undefined, { RUBY_VERSION: '3.3.8' }, ['ruby:3.3-slim']],
    ['rust', 'rust:1.80-slim', {}, ['rust:1.80', 'gcr.io/distroless/cc-debian12']],
    ['c', 'gcc:14', {}, ['debian:bookworm-slim', 'gcr.io/distroless/cc-debian12']],
    ['dotnet', undefined, { DOTNET_SDK_VERSION: '8.0.404' }, ['mcr.microsoft.com/dotnet/sdk:8.0', 'mcr.microsoft.com/dotnet/aspnet:8.0']],
  ] as const)('%s / %s names the builder and the runtime', (ecosystem, base, vars, mentions) => {
    const { remediation, recipe } = remediationFor(ecosystem, base, env(vars));
    for (const text of mentions) expect(remediation).toContain(text);
    expect(recipe).toMatch(/^FROM \S+ AS build\n/);
    expect(recipe).toContain('COPY --from=build');
  });

  it('keeps every one-line fix within the limit, even with long names', () => {
    for (const ecosystem of ECOSYSTEMS) {
      for (const base of [undefined, 'registry.example.com/some/really/long/path/to/an/sdk-image:1.2.3-with-a-long-tag', 'maven (JDK)']) {
        const { remediation } = remediationFor(ecosystem, base, env({ GOLANG_VERSION: '1.22.6', NODE_VERSION: '20.1.0' }));
        expect(remediation.length, `${ecosystem} ${base}`).toBeLessThanOrEqual(REMEDIATION_LIMIT);
      }
    }
  });
});
