import { describe, expect, it } from 'vitest';
import { excludingNamespaces } from './field-selector.js';

describe('excludingNamespaces', () => {
  it('ANDs one != term per namespace with the other terms', () => {
    expect(excludingNamespaces(['kube-system', 'slimguard'], 'type=kubernetes.io/dockercfg')).toBe(
      'metadata.namespace!=kube-system,metadata.namespace!=slimguard,type=kubernetes.io/dockercfg',
    );
  });

  it('drops duplicates and empty names, and is undefined with nothing to select', () => {
    expect(excludingNamespaces(['a', '', 'a'])).toBe('metadata.namespace!=a');
    expect(excludingNamespaces([])).toBeUndefined();
    expect(excludingNamespaces([], 'type=x')).toBe('type=x');
  });
});
