// An application image built FROM golang (the SDK base as golang:1.22 publishes it: ENV and the
// tarball download in history), non-root, so only the buildBase rule has something to say.
import { buildImage, type LayerSpec } from '../harness/oci-image-builder.js';

const GOLANG_ENV = ['PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GOLANG_VERSION=1.22.5', 'GOTOOLCHAIN=local', 'GOPATH=/go'];
const GOLANG_HISTORY = [
  { created_by: '# debian.sh --arch amd64 out/ bookworm @1719792000' },
  { created_by: 'ENV GOLANG_VERSION=1.22.5', empty_layer: true },
  {
    created_by:
      "RUN /bin/sh -c set -eux; arch=\"$(dpkg --print-architecture)\"; url='https://dl.google.com/go/go1.22.5.linux-amd64.tar.gz'; wget -O go.tgz.asc \"$url.asc\"; wget -O go.tgz \"$url\"; tar --extract --file go.tgz --directory /usr/local; go version # buildkit",
  },
];
const golangLayers: LayerSpec[] = [{ sizeBytes: 3000, seed: 'debian' }, { sizeBytes: 6000, seed: 'go-sdk' }];

export function appOnGolang() {
  return buildImage({
    user: '10001',
    env: GOLANG_ENV,
    history: [...GOLANG_HISTORY, { created_by: 'COPY . /src # buildkit' }],
    layers: [...golangLayers, { sizeBytes: 500, seed: 'app-src' }],
  });
}
