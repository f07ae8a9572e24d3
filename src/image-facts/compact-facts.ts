import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ImageFacts } from './image-facts.js';

// What most ImageFacts repeat: field names, media types, history boilerplate. Deflate starts
// from it, so even the first image costs little (the measured template goes from 1,668 to
// ~1,380 bytes). Changing it makes old compact forms unreadable: they live only in memory.
// Deflate finds the later parts of a dictionary fastest, so the commonest strings come last.
const DICTIONARY = Buffer.from(
  [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd',
    'org.opencontainers.image.base.name',
    'org.opencontainers.image.created',
    'org.opencontainers.image.source',
    'org.opencontainers.image.version',
    'org.opencontainers.image.revision',
    '"availablePlatforms":[{"os":"linux","architecture":"arm64","variant":"v8"},{"os":"linux","architecture":"amd64"}]',
    '"attestation":{"digest":"sha256:',
    'RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ',
    'rm -rf /var/lib/apt/lists/* # buildkit',
    '/bin/sh -c #(nop) ',
    'COPY /app /app # buildkit',
    'WORKDIR /',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '{"reference":"docker.io/library/","registry":"docker.io","repository":"library/","digest":"sha256:',
    '","indexDigest":"sha256:',
    '","mediaType":"application/vnd.oci.image.manifest.v1+json","platform":{"os":"linux","architecture":"amd64"},"user":"',
    '","env":["PATH=',
    '"],"labels":{',
    '},"annotations":{',
    '},"history":[{"created":"20',
    'T00:00:00Z","created_by":"',
    '","comment":"buildkit.dockerfile.v0","empty_layer":true},',
    '],"layers":[{"digest":"sha256:',
    '","size":',
    ',"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","diffId":"sha256:',
    '"},',
    '],"diffIds":["sha256:',
    '"],"compressedSizeBytes":',
  ].join(''),
);

/**
 * ImageFacts as one compact string: deflated JSON, each byte one latin1 character. V8 keeps a
 * latin1 string as one byte per character on its heap, with no object graph to walk: a tenth
 * of the memory of the parsed facts, and nothing for the garbage collector to trace.
 */
export function compactFacts(facts: ImageFacts): string {
  return deflateRawSync(JSON.stringify(facts), { dictionary: DICTIONARY }).toString('latin1');
}

/** The facts compactFacts() was given (a new object each call). Throws only on a string it did not make. */
export function expandFacts(compact: string): ImageFacts {
  return JSON.parse(inflateRawSync(Buffer.from(compact, 'latin1'), { dictionary: DICTIONARY }).toString('utf8')) as ImageFacts;
}
