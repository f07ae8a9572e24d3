// vitest globalSetup of `npm run fuzz`: gives every worker a tally file (FUZZ_TALLY_FILE, inherited
// by the workers it starts) and prints the cases per property and the total when the run ends.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'slimguard-fuzz-'));
  const file = join(dir, 'tally.jsonl');
  writeFileSync(file, '');
  process.env.FUZZ_TALLY_FILE = file;
  return () => {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    const byName = new Map<string, number>();
    for (const line of lines) {
      const { name, cases } = JSON.parse(line) as { name: string; cases: number };
      byName.set(name, (byName.get(name) ?? 0) + cases);
    }
    const total = [...byName.values()].reduce((sum, n) => sum + n, 0);
    for (const [name, cases] of byName) console.log(`fuzz: ${cases.toLocaleString('en-US')} cases  ${name}`);
    console.log(`fuzz: ${total.toLocaleString('en-US')} cases in total, over ${byName.size} properties, all passed`);
    rmSync(dir, { recursive: true, force: true });
  };
}
