import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The policy core must stay pure: no I/O, and nothing from the modules that do I/O.
// This test is the lint rule DESIGN.md promises; it reads every import of the pure modules.
const PURE_MODULES = ['reference', 'oci', 'policy', 'admission'];
const EDGE_MODULES = ['registry', 'image-facts', 'http', 'kube', 'cli', 'metrics', 'config'];
const IO_PACKAGES = [
  /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|dns|dns\/promises|child_process|cluster|dgram|worker_threads|readline|process)$/,
  /^undici$/,
  /^express$/,
  /^pino/,
  /^prom-client$/,
  /^@kubernetes\//,
];

const root = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  const bare = [...text.matchAll(/^import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...specifiers, ...dynamic, ...bare];
}

export function purityViolations(): string[] {
  const violations: string[] = [];
  for (const module of PURE_MODULES) {
    const dir = join(root, module);
    let files: string[];
    try {
      files = sourceFiles(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        const where = relative(root, file);
        if (IO_PACKAGES.some((pattern) => pattern.test(specifier))) {
          violations.push(`${where} imports ${specifier} (I/O in a pure module)`);
        }
        if (specifier.startsWith('.')) {
          const target = relative(root, join(file, '..', specifier));
          const targetModule = target.split('/')[0] ?? '';
          if (EDGE_MODULES.includes(targetModule)) violations.push(`${where} imports ${specifier} (an edge module)`);
        }
      }
    }
  }
  return violations;
}

describe('architecture', () => {
  it('keeps reference, oci, policy and admission free of I/O and of edge modules', () => {
    expect(purityViolations()).toEqual([]);
  });

  it('finds the pure modules it guards (so the check above cannot pass by reading nothing)', () => {
    const files = PURE_MODULES.flatMap((module) => {
      try {
        return sourceFiles(join(root, module));
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((file) => importsOf(file).length > 0)).toBe(true);
  });
});
