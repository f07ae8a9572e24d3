// Cold-path benchmark (not a test): registry requests per new image, counted in the real
// registry's access log, for admissions sent to the built `slimguard serve` over HTTPS. Goals
// (issue 8): <= 2 for a single-platform tag or a digest, <= 3 for an index tag; a burst of 200
// concurrent admissions of one new image costs the same as one; a cached image costs none.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { buildImage, buildIndex } from '../test/harness/oci-image-builder.js';
import { policyYaml, startServeProcess, type ServeProcess } from '../test/harness/serve-process.js';
import { countRequests, pushTo, uniqueRepository } from '../test/image-facts/helpers.js';
import { admissionReview, fastDeployment } from '../test/webhook/objects.js';
import { machine, ROOT } from './support.js';

const BURST = Number(process.env.BENCH_BURST ?? 200);

it('cold path: registry requests per new image', { timeout: 10 * 60_000 }, async () => {
  const { anonymous } = inject('registries');
  const server: ServeProcess = await startServeProcess({ policy: policyYaml('warn'), insecureRegistries: [anonymous.host] });
  try {
    const admit = async (image: string, count = 1) => {
      const answers = await Promise.all(Array.from({ length: count }, () => server.review(admissionReview(fastDeployment('web', image)))));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        // A registry failure would also be "allowed": the warnings show it was really judged.
        expect(JSON.stringify(answer.json?.response?.warnings ?? [])).not.toContain('[registry]');
      }
      return answers;
    };
    const scenario = async (name: string, push: (repository: string) => Promise<string>, count = 1, goal: number) => {
      const repository = uniqueRepository(`cold-${name.replace(/[^a-z0-9]+/g, '-').slice(0, 20)}`);
      const image = await push(repository);
      const started = Date.now();
      const { requests } = await countRequests(anonymous, repository, () => admit(image, count));
      const elapsedMs = Date.now() - started;
      const cached = await countRequests(anonymous, repository, () => admit(image));
      return {
        scenario: name,
        admissions: count,
        registryRequests: requests.length,
        requests: requests.map((r) => `${r.method} ${r.path.replace(`/v2/${repository}/`, '')} ${r.status}`),
        goal: `<= ${goal}`,
        met: requests.length <= goal,
        cachedAgainRequests: cached.requests.length,
        elapsedMs,
      };
    };
    const single = (seed: string) => buildImage({ user: '1000', layers: [{ sizeBytes: 1024, seed }] });
    const results = [
      await scenario('single-platform tag', async (repo) => (await pushTo(anonymous, repo, 'v1', single('cold-1')), `${anonymous.host}/${repo}:v1`), 1, 2),
      await scenario('digest', async (repo) => `${anonymous.host}/${repo}@${await pushTo(anonymous, repo, 'v1', single('cold-2'))}`, 1, 2),
      await scenario(
        'index tag (2 platforms)',
        async (repo) => {
          const index = buildIndex({
            images: [
              buildImage({ user: '1000', layers: [{ sizeBytes: 1024, seed: 'cold-3a' }], platform: { os: 'linux', architecture: 'amd64' } }),
              buildImage({ user: '1000', layers: [{ sizeBytes: 1024, seed: 'cold-3b' }], platform: { os: 'linux', architecture: 'arm64' } }),
            ],
          });
          await pushTo(anonymous, repo, 'v1', index);
          return `${anonymous.host}/${repo}:v1`;
        },
        1,
        3,
      ),
      await scenario(`burst of ${BURST} concurrent admissions, one new tag`, async (repo) => (await pushTo(anonymous, repo, 'v1', single('cold-4')), `${anonymous.host}/${repo}:v1`), BURST, 2),
    ];
    const result = { benchmark: 'cold-path', machine: machine(), command: 'npm run bench -- bench/cold-path.run.ts', results };
    writeFileSync(join(ROOT, 'bench', 'results', 'cold-path.json'), `${JSON.stringify(result, null, 2)}\n`);
    for (const r of results) {
      console.log(`cold path: ${r.scenario}: ${r.registryRequests} registry requests (${r.requests.join(', ')}), goal ${r.goal}; cached again: ${r.cachedAgainRequests}`);
    }
    for (const r of results) {
      expect(r.met, r.scenario).toBe(true);
      expect(r.cachedAgainRequests).toBe(0);
    }
  } finally {
    await server.stop();
  }
});
