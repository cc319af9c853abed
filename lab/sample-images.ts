// The sample image set, shared with the benchmark: layers shared the way real images share
// them (a base, two runtimes on it, ten apps on the runtimes).
import type { ImageSetSpec } from './image-builder.js';

const MiB = 1024 * 1024;

export const SAMPLE_APP_COUNT = 10;

export const SAMPLE_IMAGE_SET: ImageSetSpec = {
  layers: [
    { name: 'base', sizeBytes: 5 * MiB, seed: 'sample/base' },
    { name: 'runtime-a', sizeBytes: 4 * MiB, seed: 'sample/runtime-a' },
    { name: 'runtime-b', sizeBytes: 4 * MiB, seed: 'sample/runtime-b' },
    ...Array.from({ length: SAMPLE_APP_COUNT }, (_, i) => ({ name: `app${i}`, sizeBytes: 2 * MiB, seed: `sample/app${i}` })),
  ],
  images: [
    { repository: 'hound/base', tag: 'latest', layers: ['base'] },
    { repository: 'hound/runtime-a', tag: 'latest', layers: ['base', 'runtime-a'] },
    { repository: 'hound/runtime-b', tag: 'latest', layers: ['base', 'runtime-b'] },
    ...Array.from({ length: SAMPLE_APP_COUNT }, (_, i) => ({
      repository: `hound/app${i}`,
      tag: 'latest',
      layers: ['base', i % 2 === 0 ? 'runtime-a' : 'runtime-b', `app${i}`],
    })),
  ],
};
