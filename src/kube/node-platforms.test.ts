import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clusterPlatforms, platformOfNode } from './node-platforms.js';

function node(name: string, options: { os?: string; arch?: string; labels?: Record<string, string> } = {}): V1Node {
  return {
    metadata: { name, labels: options.labels ?? {} },
    status: {
      nodeInfo: {
        operatingSystem: options.os ?? '',
        architecture: options.arch ?? '',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: '',
        machineID: '',
        osImage: '',
        systemUUID: '',
      },
    },
  };
}

describe('platformOfNode', () => {
  it('reads status.nodeInfo first', () => {
    const withBoth = node('a', { os: 'linux', arch: 'arm64', labels: { 'kubernetes.io/os': 'windows', 'kubernetes.io/arch': 'amd64' } });
    expect(platformOfNode(withBoth)).toEqual({ os: 'linux', architecture: 'arm64' });
  });

  it('falls back to the kubernetes.io labels, then the beta labels', () => {
    expect(platformOfNode(node('a', { labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } }))).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(platformOfNode(node('b', { labels: { 'beta.kubernetes.io/os': 'Linux', 'beta.kubernetes.io/arch': 'S390X' } }))).toEqual({
      os: 'linux',
      architecture: 's390x',
    });
    // Mixed: os from nodeInfo, arch from a label.
    expect(platformOfNode(node('c', { os: 'linux', labels: { 'kubernetes.io/arch': 'ppc64le' } }))).toEqual({ os: 'linux', architecture: 'ppc64le' });
  });

  it('gives no variant (nodes report none)', () => {
    expect(platformOfNode(node('a', { os: 'linux', arch: 'arm' }))).toEqual({ os: 'linux', architecture: 'arm' });
  });

  it('is undefined when os or architecture is unknown', () => {
    expect(platformOfNode(node('a'))).toBeUndefined();
    expect(platformOfNode(node('b', { os: 'linux' }))).toBeUndefined();
    expect(platformOfNode({ metadata: { name: 'bare' } })).toBeUndefined();
    expect(platformOfNode(node('c', { os: ' ', arch: 'amd64' }))).toBeUndefined();
  });
});

describe('clusterPlatforms', () => {
  it('lists distinct platforms, most nodes first, ties by name', () => {
    const nodes = [
      node('1', { os: 'linux', arch: 'arm64' }),
      node('2', { os: 'linux', arch: 'amd64' }),
      node('3', { os: 'linux', arch: 'amd64' }),
      node('4', { os: 'windows', arch: 'amd64' }),
      node('5', { labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64' } }),
      node('6', { os: 'linux', arch: 'amd64' }),
      node('7', { os: 'linux', arch: 's390x' }),
      node('unknown'),
    ];
    expect(clusterPlatforms(nodes)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
      { os: 'linux', architecture: 's390x' },
      { os: 'windows', architecture: 'amd64' },
    ]);
  });

  it('does not depend on node order', () => {
    const nodes = [node('1', { os: 'linux', arch: 'arm64' }), node('2', { os: 'linux', arch: 'amd64' })];
    expect(clusterPlatforms(nodes)).toEqual(clusterPlatforms([...nodes].reverse()));
    expect(clusterPlatforms(nodes)[0]).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('is empty without nodes', () => {
    expect(clusterPlatforms([])).toEqual([]);
  });
});
