import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCounterTally, createHistogramTally } from './metric-tally.js';

// Metrics without collect hooks, so what prom-client holds is exactly what the tally handed over.
function counter<L extends string>(labelNames: readonly L[]) {
  return new Counter({ name: 'tally_test_total', help: 'test', labelNames, registers: [new Registry()] });
}

async function countOf(metric: Counter | Histogram, labels: Record<string, string>, metricName?: string): Promise<number | undefined> {
  const { values } = await metric.get();
  const sameLabels = (v: { labels: Record<string, unknown> }) => Object.entries(labels).every(([k, value]) => v.labels[k] === value);
  const found = values.find((v) => sameLabels(v as never) && (metricName === undefined || (v as { metricName?: string }).metricName === metricName));
  return found?.value;
}

describe('createCounterTally', () => {
  it('hands the counts over on flush, one inc per series, and only what is new', async () => {
    const requests = counter(['kind', 'operation', 'decision'] as const);
    const tally = createCounterTally(requests, ['kind', 'operation', 'decision']);
    tally.add('Pod', 'CREATE', 'allow');
    tally.add('Pod', 'CREATE', 'allow');
    tally.add('Pod', 'UPDATE', 'allow');
    tally.add('Deployment', 'CREATE', 'deny');
    expect((await requests.get()).values).toHaveLength(0);

    tally.flush();
    expect(await countOf(requests, { kind: 'Pod', operation: 'CREATE', decision: 'allow' })).toBe(2);
    expect(await countOf(requests, { kind: 'Pod', operation: 'UPDATE', decision: 'allow' })).toBe(1);
    expect(await countOf(requests, { kind: 'Deployment', operation: 'CREATE', decision: 'deny' })).toBe(1);

    tally.flush();
    tally.add('Pod', 'CREATE', 'allow');
    tally.flush();
    expect(await countOf(requests, { kind: 'Pod', operation: 'CREATE', decision: 'allow' })).toBe(3);
    expect((await requests.get()).values).toHaveLength(3);
  });

  it('works for one and two labels, and refuses other arities', async () => {
    const one = counter(['decision'] as const);
    const byDecision = createCounterTally(one, ['decision']);
    byDecision.add('warn');
    byDecision.flush();
    expect(await countOf(one, { decision: 'warn' })).toBe(1);

    const two = counter(['rule', 'mode'] as const);
    const byRule = createCounterTally(two, ['rule', 'mode']);
    byRule.add('runAsRoot', 'enforce');
    byRule.add('runAsRoot', 'warn');
    byRule.add('runAsRoot', 'warn');
    byRule.flush();
    expect(await countOf(two, { rule: 'runAsRoot', mode: 'warn' })).toBe(2);
    expect(await countOf(two, { rule: 'runAsRoot', mode: 'enforce' })).toBe(1);

    expect(() => createCounterTally(counter([] as const), [])).toThrow(/1 to 3 labels/);
  });
});

describe('createHistogramTally', () => {
  const histogram = () =>
    new Histogram({ name: 'tally_test_seconds', help: 'test', labelNames: ['kind', 'decision'] as const, buckets: [0.001, 0.01], registers: [new Registry()] });

  it('keeps observations back until 256 are buffered, then hands them all over', async () => {
    const durations = histogram();
    const tally = createHistogramTally(durations, ['kind', 'decision']);
    for (let i = 0; i < 255; i += 1) tally.observe('Pod', 'allow', 0.0005);
    expect((await durations.get()).values).toHaveLength(0);
    tally.observe('Pod', 'allow', 0.005);
    expect(await countOf(durations, { kind: 'Pod', decision: 'allow' }, 'tally_test_seconds_count')).toBe(256);
    expect(await countOf(durations, { kind: 'Pod', decision: 'allow', le: 0.001 } as never, 'tally_test_seconds_bucket')).toBe(255);
    expect(await countOf(durations, { kind: 'Pod', decision: 'allow' }, 'tally_test_seconds_sum')).toBeCloseTo(255 * 0.0005 + 0.005, 9);
  });

  it('hands over what is buffered on flush, per series', async () => {
    const durations = histogram();
    const tally = createHistogramTally(durations, ['kind', 'decision']);
    tally.observe('Pod', 'allow', 0.002);
    tally.observe('Job', 'deny', 0.02);
    tally.flush();
    expect(await countOf(durations, { kind: 'Pod', decision: 'allow' }, 'tally_test_seconds_count')).toBe(1);
    expect(await countOf(durations, { kind: 'Job', decision: 'deny' }, 'tally_test_seconds_count')).toBe(1);
    tally.flush();
    expect(await countOf(durations, { kind: 'Pod', decision: 'allow' }, 'tally_test_seconds_count')).toBe(1);
  });
});
