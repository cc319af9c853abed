import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libpodPullEndpoint, translateLibpodLine } from '../../../runtime/podman/libpod-pull.js';
import { parseLayerRecords } from '../../../runtime/podman/storage-layers.js';
import { PodmanPullTally, recordedLayers } from '../../../runtime/podman/runtime.js';
import { JsonLineSplitter, PullProgressTracker } from '../../../runtime/docker-pull-progress.js';
import { isLoopbackRegistry } from '../../../base/image-ref.js';

// Recorded from podman 4.3.1 on a hound lab node: two libpod pulls (hound/app4, then
// hound/app5, which shares its base layer) from the lab registry through a plain-HTTP port on
// the node's loopback, and containers/storage's layers.json after both. The registry's
// manifests: app4 = 0da5f271ce5f 5245234, 184be4eaa50a 4196498, 8627d9f6853a 2099026
// (config 0b1fd44437dd); app5 = 0da5f271ce5f 5245234, 3f13debcbce1 4196498, b39902def48c 2099026.
const fixtures = join(import.meta.dirname, 'fixtures');

function tally(file: string): PodmanPullTally {
  const splitter = new JsonLineSplitter();
  const tracker = new PullProgressTracker();
  const t = new PodmanPullTally();
  for (const raw of [...splitter.push(readFileSync(join(fixtures, file))), ...splitter.end()]) {
    const line = translateLibpodLine(raw as Record<string, unknown>);
    const event = line && tracker.add(line);
    if (event) t.add(event);
  }
  return t;
}

describe("podman's own pull endpoint, for registries on the node's loopback", () => {
  it('is used for loopback registries only, with TLS verification off for that pull', () => {
    expect(isLoopbackRegistry('127.0.0.1:41234')).toBe(true);
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('10.29.205.2:5000')).toBe(false);
    expect(isLoopbackRegistry('127.0.0.1.example.com')).toBe(false);
    expect(libpodPullEndpoint('127.0.0.1:41234/t/a:1', false, 'linux/arm64/v8')).toMatchObject({
      path: '/v4.0.0/libpod/images/pull',
      query: { reference: '127.0.0.1:41234/t/a:1', tlsVerify: 'false', OS: 'linux', Arch: 'arm64' },
    });
    // podman_image's validate_certs: true asks for verified TLS on this pull.
    expect(libpodPullEndpoint('r.example/t/a:1', true).query).toEqual({ reference: 'r.example/t/a:1', tlsVerify: 'true', quiet: 'false' });
  });

  it('reads each "Copying blob" line as a blob of the pull, and an error as the error', () => {
    expect(translateLibpodLine({ stream: 'Copying blob sha256:0da5f271ce5fb2825c06c4573f0973aad08eeba0452f91be08fdd1467ea99e16\n' })).toEqual({
      id: '0da5f271ce5f',
      status: 'Pulling fs layer',
    });
    expect(translateLibpodLine({ stream: 'Copying blob 0da5f271ce5f skipped: already exists\n' })).toEqual({ id: '0da5f271ce5f', status: 'Already exists' });
    expect(translateLibpodLine({ stream: 'Writing manifest to image destination\n' })).toBeUndefined();
    expect(translateLibpodLine({ error: 'pinging container registry 127.0.0.1:5999: connection refused' })).toEqual({
      error: 'pinging container registry 127.0.0.1:5999: connection refused',
    });
  });

  it("sizes every blob the stream names from containers/storage's records; the config blob is no layer", () => {
    const records = parseLayerRecords(readFileSync(join(fixtures, 'podman-layers.json'), 'utf8'));
    expect(records.get('sha256:0da5f271ce5fb2825c06c4573f0973aad08eeba0452f91be08fdd1467ea99e16')).toBe(5245234);
    expect(records.size).toBe(5);
    const app4 = tally('podman-libpod-pull-fresh.jsonl');
    // Without records the stream alone gives no size at all: what the old accounting under-reported.
    expect(app4.result('sha256:0b1fd44437dd43149ffa335483830d1378fa8c088a8cc172b0d6e447a308394a', undefined)).toMatchObject({
      bytesDownloaded: 0,
      layersDownloaded: 3,
      unsizedLayers: 3,
    });
    const { layers, unrecorded } = recordedLayers(app4.layerIds('sha256:0b1fd44437dd43149ffa335483830d1378fa8c088a8cc172b0d6e447a308394a'), records);
    expect(unrecorded).toBe(0);
    expect(layers.map((l) => [l.digest.slice(7, 19), l.size])).toEqual([
      ['0da5f271ce5f', 5245234],
      ['8627d9f6853a', 2099026],
      ['184be4eaa50a', 4196498],
    ]);
    // The second pull names the shared base blob too (libpod does not say it was reused): the records from before the pull tell.
    const app5 = recordedLayers(
      tally('podman-libpod-pull-shared.jsonl').layerIds('sha256:7c41790d304e912fb7eaddc0cd729194271d275863bdcd5e320614ec3ec4f43f'),
      records,
    );
    expect(app5.layers.map((l) => l.size).reduce((x, y) => x + y, 0)).toBe(5245234 + 4196498 + 2099026);
  });

  it('reads no records from an empty answer (no layer pulled yet)', () => {
    expect(parseLayerRecords('').size).toBe(0);
  });
});
