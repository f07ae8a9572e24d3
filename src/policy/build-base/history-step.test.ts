import { describe, expect, it } from 'vitest';
import { parseHistoryStep, stepExcerpt, stepText } from './history-step.js';

const step = (createdBy: string) => parseHistoryStep({ created_by: createdBy }, 0);

describe('parseHistoryStep', () => {
  it.each([
    ['RUN /bin/sh -c apk add --no-cache ca-certificates # buildkit', 'RUN', 'apk add --no-cache ca-certificates'],
    ['RUN |2 A=1 B=x /bin/sh -c make install # buildkit', 'RUN', 'make install'],
    ['/bin/sh -c set -eux; apt-get update', 'RUN', 'set -eux; apt-get update'],
    ['|1 VERSION=1.2 /bin/sh -c make', 'RUN', 'make'],
    ['RUN set -eux; apt-get update # buildkit', 'RUN', 'set -eux; apt-get update'],
    ['set -eux; apt-get update', 'RUN', 'set -eux; apt-get update'],
    ['RUN ["/bin/sh","-c","apk add gcc"]', 'RUN', 'apk add gcc'],
    ['ENV GOLANG_VERSION=1.22.6', 'ENV', 'GOLANG_VERSION=1.22.6'],
    ['/bin/sh -c #(nop)  ENV GOLANG_VERSION=1.22.6', 'ENV', 'GOLANG_VERSION=1.22.6'],
    ['/bin/sh -c #(nop) ADD file:1129dc in / ', 'ADD', 'file:1129dc in /'],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD', '["bash"]'],
    ['COPY /target/ / # buildkit', 'COPY', '/target/ /'],
    ['WORKDIR /go', 'WORKDIR', '/go'],
    ["# debian.sh --arch 'amd64' out/ 'bookworm' '@1720396800'", 'ROOTFS', "debian.sh --arch 'amd64' out/ 'bookworm' '@1720396800'"],
    ['bazel build ...', 'RUN', 'bazel build ...'],
    ['', '', ''],
  ])('reads %j', (createdBy, instruction, body) => {
    expect(step(createdBy)).toMatchObject({ instruction, body });
  });

  it('keeps the raw text and the position', () => {
    expect(parseHistoryStep({ created_by: 'WORKDIR /go' }, 7)).toEqual({ index: 7, instruction: 'WORKDIR', body: '/go', raw: 'WORKDIR /go' });
    expect(parseHistoryStep({}, 3)).toMatchObject({ index: 3, instruction: '', raw: '' });
  });

  it('prints a step as a Dockerfile line, shortened on one line for evidence', () => {
    const long = step(`RUN /bin/sh -c set -eux; \tapt-get install -y ${'pkg '.repeat(60)}# buildkit`);
    expect(stepText(step('COPY /usr/local/go /usr/local/go # buildkit'))).toBe('COPY /usr/local/go /usr/local/go');
    expect(stepExcerpt(long)).toMatch(/^RUN set -eux; apt-get install -y pkg/);
    expect(stepExcerpt(long).length).toBeLessThanOrEqual(120);
  });
});
