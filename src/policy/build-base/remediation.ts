import { parseImageName, tagTokens } from './image-name.js';
import { javaMajor, versionPrefix, type EnvMap } from './signatures.js';
import type { Ecosystem } from './types.js';

export interface Remediation {
  /** One line, under ~160 characters: build in the SDK image, ship a runtime image. */
  remediation: string;
  /** The same as a two-stage Dockerfile. */
  recipe: string;
}

/** Remediation lines are shown in kubectl warnings; past this they are cut to the short form. */
export const REMEDIATION_LIMIT = 160;

// Distroless publishes these language images (GoogleContainerTools/distroless java/, nodejs/).
const DISTROLESS_JAVA: Record<string, string> = { '17': 'java17-debian12', '21': 'java21-debian12', '25': 'java25-debian13' };
const DISTROLESS_NODE: Record<string, string> = { '20': 'nodejs20-debian12', '22': 'nodejs22-debian12', '24': 'nodejs24-debian12' };

interface Context {
  base: string | undefined;
  env: EnvMap;
}

/** The version in the base's tag ("golang:1.22-alpine" → "1.22"), or undefined for names that are not image names. */
function tagVersion(base: string | undefined, repository: string, parts: number): string | undefined {
  if (base === undefined || base.includes(' ')) return undefined;
  const name = parseImageName(base);
  if (name.familiarRepository !== repository) return undefined;
  return versionPrefix(tagTokens(name.tag)[0], parts);
}

function pick(line: string, short: string): string {
  return line.length <= REMEDIATION_LIMIT ? line : short;
}

function goFix({ base, env }: Context): Remediation {
  const version = tagVersion(base, 'golang', 2) ?? versionPrefix(env.get('GOLANG_VERSION'), 2);
  const builder = version ? `golang:${version}` : 'golang';
  const runtime = 'gcr.io/distroless/static-debian12';
  return {
    remediation: pick(`build in ${builder}, ship ${runtime} (COPY --from=build /out/app /app)`, `build in ${builder}, ship ${runtime}`),
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /src',
      'COPY . .',
      'RUN CGO_ENABLED=0 go build -o /out/app .',
      `FROM ${runtime}`,
      'COPY --from=build /out/app /app',
      'ENTRYPOINT ["/app"]',
    ].join('\n'),
  };
}

function rustFix({ base, env }: Context): Remediation {
  const version = tagVersion(base, 'rust', 2) ?? versionPrefix(env.get('RUST_VERSION'), 2);
  const builder = version ? `rust:${version}` : 'rust';
  const runtime = 'gcr.io/distroless/cc-debian12';
  return {
    remediation: pick(
      `build in ${builder}, ship ${runtime} (COPY --from=build /app/target/release/app /app)`,
      `build in ${builder}, ship ${runtime}`,
    ),
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /app',
      'COPY . .',
      'RUN cargo build --release',
      `FROM ${runtime}`,
      'COPY --from=build /app/target/release/app /app',
      'ENTRYPOINT ["/app"]',
    ].join('\n'),
  };
}

function javaFix({ base, env }: Context): Remediation {
  const major =
    javaMajor(env.get('JAVA_VERSION')) ??
    tagVersion(base, 'eclipse-temurin', 1) ??
    tagVersion(base, 'openjdk', 1) ??
    tagVersion(base, 'amazoncorretto', 1) ??
    '21';
  const runtime = `eclipse-temurin:${major}-jre`;
  const distroless = DISTROLESS_JAVA[major];
  const alternatives = distroless ? `${runtime} or gcr.io/distroless/${distroless}` : runtime;
  const builder = base?.startsWith('maven')
    ? `maven:3-eclipse-temurin-${major}`
    : base?.startsWith('gradle')
      ? `gradle:8-jdk${major}`
      : `eclipse-temurin:${major}-jdk`;
  const buildCommand = base?.startsWith('gradle') ? 'RUN gradle build' : 'RUN mvn -B package';
  const output = base?.startsWith('gradle') ? '/src/build/libs/app.jar' : '/src/target/app.jar';
  return {
    remediation: pick(
      `build in ${builder}, ship ${alternatives} (COPY --from=build only the jar)`,
      `build in ${builder}, ship ${runtime}`,
    ),
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /src',
      'COPY . .',
      buildCommand,
      `FROM ${distroless ? `gcr.io/distroless/${distroless}` : runtime}`,
      `COPY --from=build ${output} /app/app.jar`,
      distroless ? 'CMD ["/app/app.jar"]' : 'ENTRYPOINT ["java", "-jar", "/app/app.jar"]',
    ].join('\n'),
  };
}

function nodeFix({ base, env }: Context): Remediation {
  const major = tagVersion(base, 'node', 1) ?? versionPrefix(env.get('NODE_VERSION'), 1);
  const builder = major ? `node:${major}` : 'node';
  const slim = major ? `node:${major}-slim` : 'node:lts-slim';
  const distroless = major ? DISTROLESS_NODE[major] : undefined;
  const alternatives = distroless ? `${slim} or gcr.io/distroless/${distroless}` : slim;
  return {
    remediation: pick(
      `build in ${builder}, ship ${alternatives} (COPY --from=build /app /app)`,
      `build in ${builder}, ship ${slim}`,
    ),
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /app',
      'COPY package*.json ./',
      'RUN npm ci --omit=dev',
      'COPY . .',
      `FROM ${distroless ? `gcr.io/distroless/${distroless}` : slim}`,
      'COPY --from=build /app /app',
      'WORKDIR /app',
      distroless ? 'CMD ["server.js"]' : 'CMD ["node", "server.js"]',
    ].join('\n'),
  };
}

function pythonFix({ base, env }: Context): Remediation {
  const version = tagVersion(base, 'python', 2) ?? versionPrefix(env.get('PYTHON_VERSION'), 2);
  const builder = version ? `python:${version}` : 'python';
  const slim = version ? `python:${version}-slim` : 'python:3-slim';
  return {
    remediation: `build wheels in ${builder}, ship ${slim} (COPY --from=build the wheels or venv; no compiler in the final stage)`,
    recipe: [
      `FROM ${builder} AS build`,
      'COPY requirements.txt .',
      'RUN pip wheel --wheel-dir /wheels -r requirements.txt',
      `FROM ${slim}`,
      'COPY --from=build /wheels /wheels',
      'RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels',
      'COPY . /app',
    ].join('\n'),
  };
}

function rubyFix({ base, env }: Context): Remediation {
  const version = tagVersion(base, 'ruby', 2) ?? versionPrefix(env.get('RUBY_VERSION'), 2);
  const builder = version ? `ruby:${version}` : 'ruby';
  const slim = version ? `ruby:${version}-slim` : 'ruby:slim';
  return {
    remediation: `bundle install in ${builder}, ship ${slim} (COPY --from=build /usr/local/bundle /usr/local/bundle)`,
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /app',
      'COPY Gemfile Gemfile.lock ./',
      'RUN bundle install',
      `FROM ${slim}`,
      'COPY --from=build /usr/local/bundle /usr/local/bundle',
      'COPY . /app',
    ].join('\n'),
  };
}

function dotnetFix({ base, env }: Context): Remediation {
  const version = tagVersion(base, 'mcr.microsoft.com/dotnet/sdk', 2) ?? versionPrefix(env.get('DOTNET_SDK_VERSION'), 2) ?? '8.0';
  const builder = `mcr.microsoft.com/dotnet/sdk:${version}`;
  const runtime = `mcr.microsoft.com/dotnet/aspnet:${version}`;
  return {
    remediation: `publish in ${builder}, ship ${runtime} (COPY --from=build /app/publish /app)`,
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /src',
      'COPY . .',
      'RUN dotnet publish -c Release -o /app/publish',
      `FROM ${runtime}`,
      'COPY --from=build /app/publish /app',
      'ENTRYPOINT ["dotnet", "/app/app.dll"]',
    ].join('\n'),
  };
}

function cFix({ base }: Context): Remediation {
  const builder = base !== undefined && !base.includes(' ') ? base : 'gcc:14';
  return {
    remediation: pick(
      `compile in ${builder} as a build stage, ship debian:bookworm-slim or gcr.io/distroless/cc-debian12 with only the binary`,
      'compile in a build stage, ship debian:bookworm-slim or gcr.io/distroless/cc-debian12 with only the binary',
    ),
    recipe: [
      `FROM ${builder} AS build`,
      'WORKDIR /src',
      'COPY . .',
      'RUN make && install -D app /out/app',
      'FROM gcr.io/distroless/cc-debian12',
      'COPY --from=build /out/app /app',
      'ENTRYPOINT ["/app"]',
    ].join('\n'),
  };
}

function otherFix({ base }: Context): Remediation {
  const builder = base !== undefined && !base.includes(' ') ? base : 'the SDK image';
  return {
    remediation: pick(
      `build in ${builder} as a build stage, then COPY --from=build only the artifacts onto a slim runtime base (distroless, alpine, -slim)`,
      'build in a build stage, then COPY --from=build only the artifacts onto a slim runtime base',
    ),
    recipe: [`FROM ${builder === 'the SDK image' ? '<sdk-image>' : builder} AS build`, 'COPY . /src', 'RUN <build>', 'FROM <slim-runtime-image>', 'COPY --from=build <artifacts> /app'].join('\n'),
  };
}

const FIXES: Record<Ecosystem, (context: Context) => Remediation> = {
  go: goFix,
  rust: rustFix,
  java: javaFix,
  node: nodeFix,
  python: pythonFix,
  ruby: rubyFix,
  dotnet: dotnetFix,
  c: cFix,
  other: otherFix,
};

/** The two-stage fix for an ecosystem, with versions taken from the base found or the image's Env. */
export function remediationFor(ecosystem: Ecosystem, base: string | undefined, env: EnvMap): Remediation {
  return FIXES[ecosystem]({ base, env });
}
