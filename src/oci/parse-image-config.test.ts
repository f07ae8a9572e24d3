import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OciFormatError } from './errors.js';
import { parseImageConfig } from './parse-image-config.js';
import classicConfig from './testdata/classic-builder-config.json' with { type: 'json' };
import golangConfig from './testdata/golang-config.json' with { type: 'json' };
import { bytes, errorOf } from './test-helpers.js';

const DIFF_ID = `sha256:${'5f'.repeat(32)}`;

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [DIFF_ID] }, ...extra };
}

describe('parseImageConfig', () => {
  it('reads a BuildKit-built golang config', () => {
    const config = parseImageConfig(bytes(golangConfig));
    expect(config.architecture).toBe('amd64');
    expect(config.os).toBe('linux');
    expect(config.created).toBe('2024-07-02T18:37:45Z');
    expect(config.config.Env).toContain('GOLANG_VERSION=1.22.5');
    expect(config.config.Cmd).toEqual(['bash']);
    expect(config.config.WorkingDir).toBe('/go');
    expect(config.config.User).toBeUndefined();
    expect(config.config.Labels).toEqual({});
    expect(config.rootfs.diff_ids).toHaveLength(7);
    expect(config.history).toHaveLength(12);
    expect(config.history[1]).toEqual({
      created: '2024-07-02T01:00:00Z',
      created_by: 'ENV LANG=C.UTF-8',
      comment: 'buildkit.dockerfile.v0',
      empty_layer: true,
    });
  });

  it('reads a classic-builder config with nulls and container_config', () => {
    const config = parseImageConfig(bytes(classicConfig));
    expect(config.config).toEqual({
      User: '',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.25.3'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Entrypoint: ['/docker-entrypoint.sh'],
      WorkingDir: '',
      Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
      ExposedPorts: { '80/tcp': {} },
      StopSignal: 'SIGQUIT',
    });
    expect(config.history.filter((entry) => entry.empty_layer === true)).toHaveLength(2);
  });

  it('defaults a missing config, Env, Labels and history', () => {
    const config = parseImageConfig(bytes(minimal()));
    expect(config).toEqual({
      architecture: 'arm64',
      os: 'linux',
      config: { Env: [], Labels: {} },
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
      history: [],
    });
    expect(parseImageConfig(bytes(minimal({ config: { User: '65532' }, history: null }))).config).toEqual({
      User: '65532',
      Env: [],
      Labels: {},
    });
  });

  it('treats Docker nulls as absent', () => {
    const config = parseImageConfig(
      bytes(minimal({ config: { Env: null, Entrypoint: null, Cmd: null, Labels: null, ExposedPorts: null, User: null } })),
    );
    expect(config.config).toEqual({ Env: [], Labels: {} });
  });

  it('keeps variant and os.version', () => {
    const config = parseImageConfig(bytes(minimal({ variant: 'v8', 'os.version': '10.0.20348.2582', os: 'windows' })));
    expect(config.variant).toBe('v8');
    expect(config['os.version']).toBe('10.0.20348.2582');
  });

  it('accepts an image with no layers', () => {
    expect(parseImageConfig(bytes(minimal({ rootfs: { type: 'layers', diff_ids: null } }))).rootfs.diff_ids).toEqual([]);
  });

  it.each([
    ['not JSON', 'not json', 'not valid JSON'],
    ['an array', '[]', 'must be an object'],
    ['a Helm chart config', { name: 'mychart', version: '0.1.0', apiVersion: 'v2' }, 'not a container image config'],
    ['missing rootfs', minimal({ rootfs: undefined }), 'rootfs is missing'],
    ['bad diff_id', minimal({ rootfs: { type: 'layers', diff_ids: [DIFF_ID, 'sha256:abc'] } }), 'rootfs.diff_ids[1]'],
    ['diff_ids not an array', minimal({ rootfs: { type: 'layers', diff_ids: 'x' } }), 'rootfs.diff_ids must be an array'],
    ['Env with a number', minimal({ config: { Env: ['A=1', 2] } }), 'config.Env[1]'],
    ['User as number', minimal({ config: { User: 0 } }), 'config.User must be a string'],
    ['Labels with a number', minimal({ config: { Labels: { a: 1 } } }), 'config.Labels["a"]'],
    ['history entry not an object', minimal({ history: ['x'] }), 'history[0] must be an object'],
    ['empty_layer as string', minimal({ history: [{ empty_layer: 'true' }] }), 'history[0].empty_layer'],
    ['architecture as number', minimal({ architecture: 64 }), 'architecture must be a string'],
  ])('rejects %s', (_name, document, fragment) => {
    const error = errorOf(() => parseImageConfig(bytes(document)));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(fragment);
  });

  it('rejects invalid UTF-8', () => {
    expect(errorOf(() => parseImageConfig(new Uint8Array([0xc3, 0x28]))).code).toBe('INVALID_CONFIG');
  });
});

describe('parseImageConfig: never throws anything but OciFormatError', () => {
  function onlyOciErrors(run: () => unknown): boolean {
    try {
      run();
    } catch (error) {
      return error instanceof OciFormatError;
    }
    return true;
  }

  it('for arbitrary bytes and JSON', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (input) => onlyOciErrors(() => parseImageConfig(input))), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyOciErrors(() => parseImageConfig(bytes(value)))), { numRuns: 500 });
  });

  it('for documents that are nearly image configs', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const runtime = fc.record(
      {
        User: fc.oneof(fc.string(), anyValue),
        Env: fc.oneof(fc.array(fc.string()), anyValue),
        Labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyValue),
        Entrypoint: anyValue,
        ExposedPorts: anyValue,
      },
      { requiredKeys: [] },
    );
    const document = fc.record(
      {
        architecture: fc.oneof(fc.constant('amd64'), anyValue),
        os: fc.oneof(fc.constant('linux'), anyValue),
        config: fc.oneof(runtime, anyValue),
        rootfs: fc.oneof(fc.record({ type: fc.constant('layers'), diff_ids: fc.oneof(fc.constant([DIFF_ID]), anyValue) }), anyValue),
        history: fc.oneof(fc.array(fc.record({ created_by: anyValue, empty_layer: anyValue }, { requiredKeys: [] })), anyValue),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(document, (value) => onlyOciErrors(() => parseImageConfig(bytes(value)))), { numRuns: 1000 });
  });
});
