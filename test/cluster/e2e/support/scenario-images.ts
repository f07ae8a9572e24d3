// The images the scenarios judge, built in memory and pushed to the real test registry (all three
// registries share one storage, so the basic-auth registry serves them too).
import { buildImage } from '../../../harness/oci-image-builder.js';
import type { HarnessRegistries } from '../../../harness/provided-context.js';
import { pushTo, uniqueRepository } from '../../../image-facts/helpers.js';
import { appOnGolang } from '../../../judge/golang-app-image.js';

export interface ScenarioImages {
  /** No USER: runs as root. */
  root: string;
  /** Non-root, about 1.5 MiB compressed: over a 1Mi size budget. */
  oversized: string;
  /** Non-root, built FROM golang. */
  buildBase: string;
  /** The root image's repository, read through the Basic-auth registry. */
  privateRoot: string;
}

export async function pushScenarioImages(registries: HarnessRegistries): Promise<ScenarioImages> {
  const repository = uniqueRepository('e2e');
  const { anonymous, basic } = registries;
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 200, seed: 'e2e-root' }] }));
  await pushTo(anonymous, repository, 'oversized', buildImage({ user: '65532', layers: [{ sizeBytes: 1_500_000, seed: 'e2e-big' }] }));
  await pushTo(anonymous, repository, 'go-sdk', appOnGolang());
  return {
    root: `${anonymous.host}/${repository}:root`,
    oversized: `${anonymous.host}/${repository}:oversized`,
    buildBase: `${anonymous.host}/${repository}:go-sdk`,
    privateRoot: `${basic.host}/${repository}:root`,
  };
}
