// Realistic image facts for the policy tests (imported by *.test.ts only). The shapes follow what
// the registry source reads from real images: history lines as the classic builder and BuildKit
// write them, layer sizes in the range the public images have.
import type { HistoryEntry, Platform } from '../oci/types.js';
import type { PolicyFacts } from './types.js';

const MiB = 1024 * 1024;

/** One Dockerfile step: a layer when it has a size, an empty_layer history entry otherwise. */
export interface Step {
  createdBy: string;
  /** Compressed size in bytes; omit for metadata-only steps (ENV, USER, CMD...). */
  size?: number;
}

export interface FactsSpec {
  /** Normalized reference. */
  reference?: string;
  user?: string;
  platform?: Platform;
  env?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  steps?: Step[];
  /** Layers with no history line at the end (squashed or tool-appended layers). */
  unattributedLayerSizes?: number[];
}

/** Everything ImageFacts carries, so fixtures can stand in for real facts anywhere. */
export interface FixtureFacts extends PolicyFacts {
  registry: string;
  repository: string;
  mediaType: string;
  layers: { digest: string; size: number; mediaType: string; diffId: string }[];
}

let counter = 0;
/** Deterministic fake sha256 digests, distinct per call. */
function fakeDigest(seed: string): string {
  counter += 1;
  let hash = 0x811c9dc5;
  for (const char of `${seed}#${counter}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `sha256:${hash.toString(16).padStart(8, '0').repeat(8)}`;
}

export function buildFacts(spec: FactsSpec = {}): FixtureFacts {
  const reference = spec.reference ?? 'docker.io/library/app:1.0';
  const steps = spec.steps ?? [{ createdBy: 'ADD rootfs.tar.xz / # buildkit', size: 30 * MiB }];
  const history: HistoryEntry[] = steps.map((step) =>
    step.size === undefined
      ? { created: '2024-07-01T00:00:00Z', created_by: step.createdBy, empty_layer: true }
      : { created: '2024-07-01T00:00:00Z', created_by: step.createdBy },
  );
  const sizes = [...steps.flatMap((step) => (step.size === undefined ? [] : [step.size])), ...(spec.unattributedLayerSizes ?? [])];
  const layers = sizes.map((size, index) => ({
    digest: fakeDigest(`${reference}/layer/${index}`),
    size,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    diffId: fakeDigest(`${reference}/diff/${index}`),
  }));
  const slash = reference.indexOf('/');
  return {
    reference,
    registry: reference.slice(0, slash),
    repository: reference.slice(slash + 1).replace(/[:@].*$/, ''),
    digest: fakeDigest(`${reference}/manifest`),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: spec.platform ?? { os: 'linux', architecture: 'amd64' },
    user: spec.user ?? '',
    env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    history,
    layers,
    diffIds: layers.map((layer) => layer.diffId),
    compressedSizeBytes: sizes.reduce((total, size) => total + size, 0),
  };
}

/** nginx:1.27 (Debian bookworm based, classic history, no USER: runs as root). About 67 MiB. */
export function nginxFacts(): FixtureFacts {
  return buildFacts({
    reference: 'docker.io/library/nginx:1.27',
    user: '',
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.27.0', 'NJS_VERSION=0.8.4'],
    steps: [
      { createdBy: '/bin/sh -c #(nop) ADD file:4b1be1de1a1e5aa608c688cad2824587262081866180d7368feb79d33ca05953 in / ', size: 28 * MiB + 300_000 },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]' },
      { createdBy: '/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>' },
      { createdBy: '/bin/sh -c #(nop)  ENV NGINX_VERSION=1.27.0' },
      {
        createdBy:
          '/bin/sh -c set -x && groupadd --system --gid 101 nginx && useradd --system --gid nginx --no-create-home --home /nonexistent nginx && apt-get update && apt-get install --no-install-recommends --no-install-suggests -y gnupg1 ca-certificates',
        size: 39 * MiB,
      },
      { createdBy: '/bin/sh -c #(nop) COPY file:e57eef017a414ca793499729d80a7b9075790c9a804f930f1417e56d506970cf in / ', size: 628 },
      { createdBy: '/bin/sh -c #(nop) COPY file:abbcbf84dc17ee4454b6b2e3cf914be88e02cf3d4dc3f2bc47ab6e1f9e7e6b4b in /docker-entrypoint.d ', size: 955 },
      { createdBy: '/bin/sh -c #(nop)  ENTRYPOINT ["/docker-entrypoint.sh"]' },
      { createdBy: '/bin/sh -c #(nop)  EXPOSE 80' },
      { createdBy: '/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]' },
    ],
  });
}

/** gcr.io/distroless/static-debian12:nonroot: one small layer, numeric USER 65532. */
export function distrolessNonrootFacts(): FixtureFacts {
  return buildFacts({
    reference: 'gcr.io/distroless/static-debian12:nonroot',
    user: '65532',
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'],
    steps: [{ createdBy: 'bazel build ...', size: 2 * MiB + 100_000 }],
  });
}

/**
 * A Go service shipped on golang:1.22 (the mistake buildBase catches): BuildKit history, the Go
 * toolchain layers, then the app. About 311 MiB.
 */
export function golangAppFacts(): FixtureFacts {
  return buildFacts({
    reference: 'ghcr.io/acme/payments-api:2.4.1',
    user: '',
    env: [
      'PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'GOLANG_VERSION=1.22.5',
      'GOTOOLCHAIN=local',
      'GOPATH=/go',
    ],
    steps: [
      { createdBy: '# debian.sh --arch amd64 out/ bookworm @1719792000', size: 47 * MiB },
      { createdBy: 'RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl gnupg netbase sq wget; rm -rf /var/lib/apt/lists/* # buildkit', size: 23 * MiB },
      { createdBy: 'RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends git mercurial openssh-client subversion procps; rm -rf /var/lib/apt/lists/* # buildkit', size: 61 * MiB },
      { createdBy: 'RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends g++ gcc libc6-dev make pkg-config; rm -rf /var/lib/apt/lists/* # buildkit', size: 88 * MiB },
      { createdBy: 'ENV GOLANG_VERSION=1.22.5' },
      { createdBy: 'COPY /target/ / # buildkit', size: 69 * MiB },
      { createdBy: 'RUN /bin/sh -c mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH" # buildkit', size: 126 },
      { createdBy: 'WORKDIR /go' },
      { createdBy: 'WORKDIR /src' },
      { createdBy: 'COPY . . # buildkit', size: 9 * MiB },
      { createdBy: 'RUN |1 VERSION=2.4.1 /bin/sh -c go build -o /usr/local/bin/payments-api ./cmd/api # buildkit', size: 14 * MiB },
      { createdBy: 'CMD ["payments-api"]' },
    ],
  });
}

/** A Node app on node:20-slim that switches to the image's "node" user (a name, uid 1000). */
export function nodeAppFacts(): FixtureFacts {
  return buildFacts({
    reference: 'registry.example.com:5000/web/storefront:7.2.0',
    user: 'node',
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_VERSION=20.15.1', 'YARN_VERSION=1.22.22'],
    steps: [
      { createdBy: '/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc01140f8ec2de4a7e1bcdb2f8d6d5ad8cbd8d7f3d4e9c2e1a0b in / ', size: 28 * MiB },
      { createdBy: 'RUN /bin/sh -c groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node # buildkit', size: 4_000 },
      { createdBy: 'RUN /bin/sh -c ARCH= && dpkgArch="$(dpkg --print-architecture)" && curl -fsSLO --compressed "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz" # buildkit', size: 45 * MiB },
      { createdBy: 'COPY package.json package-lock.json ./ # buildkit', size: 120_000 },
      { createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit', size: 38 * MiB },
      { createdBy: 'COPY dist ./dist # buildkit', size: 3 * MiB },
      { createdBy: 'USER node' },
      { createdBy: 'CMD ["node" "dist/server.js"]' },
    ],
  });
}

/** mcr.microsoft.com/windows/nanoserver:ltsc2022 — Windows users are names such as ContainerUser. */
export function windowsNanoserverFacts(): FixtureFacts {
  return buildFacts({
    reference: 'mcr.microsoft.com/windows/nanoserver:ltsc2022',
    user: 'ContainerUser',
    platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2582' },
    env: [],
    steps: [{ createdBy: 'Apply image 10.0.20348.2582', size: 118 * MiB }],
  });
}
