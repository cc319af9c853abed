import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, buildImageSet, buildLayer, MEDIA_TYPES, seededBytes, singleFileTar } from '../../../lab/image-builder.js';
import { SAMPLE_IMAGE_SET } from '../../../lab/sample-images.js';

const work = mkdtempSync(path.join(tmpdir(), 'hound-image-builder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fileOf(name: string, data: Buffer): string {
  const p = path.join(work, name);
  writeFileSync(p, data);
  return p;
}

/** sha256 by coreutils, not by node: an independent check of our digests. */
function sha256sum(file: string): string {
  return `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]}`;
}

describe('seeded layer bytes', () => {
  it('are the same for the same seed and differ between seeds', () => {
    expect(seededBytes('s1', 4096).equals(seededBytes('s1', 4096))).toBe(true);
    expect(seededBytes('s1', 4096).equals(seededBytes('s2', 4096))).toBe(false);
    // a prefix property: a bigger layer from the same seed starts with the smaller one
    expect(seededBytes('s1', 8192).subarray(0, 4096).equals(seededBytes('s1', 4096))).toBe(true);
  });

  it('do not compress, so wire bytes equal layer sizes', () => {
    const data = seededBytes('incompressible', 1 << 20);
    expect(gzipSync(data, { level: 9 }).length).toBeGreaterThanOrEqual(data.length);
  });
});

describe('single-file tar', () => {
  it('is read back by tar(1) with the right name, size, owner and content', () => {
    const content = seededBytes('tar', 1234);
    const tarFile = fileOf('one.tar', singleFileTar('hound-layer-x.bin', content));
    const listing = execFileSync('tar', ['-tvf', tarFile, '--numeric-owner'], { encoding: 'utf8' }).trim();
    expect(listing).toMatch(/^-rw-r--r-- 0\/0\s+1234 1970-01-01 00:00 hound-layer-x\.bin$/);
    const extracted = execFileSync('tar', ['-xOf', tarFile, 'hound-layer-x.bin']);
    expect(extracted.equals(content)).toBe(true);
  });

  it('pads to whole 512-byte blocks and ends with two zero blocks', () => {
    const tar = singleFileTar('f', Buffer.alloc(513, 1));
    expect(tar.length).toBe(512 + 1024 + 1024);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
  });
});

describe('layers', () => {
  const layer = buildLayer({ name: 'pinned', sizeBytes: 100_000, seed: 'pinned-seed' });

  it('have a digest equal to sha256sum of the blob and a diff id equal to sha256sum of the gunzipped tar', () => {
    const gz = fileOf('pinned.tar.gz', layer.data);
    expect(sha256sum(gz)).toBe(layer.digest);
    const tar = execFileSync('gzip', ['-dc', gz]);
    expect(sha256sum(fileOf('pinned.tar', tar))).toBe(layer.diffId);
    expect(layer.size).toBe(readFileSync(gz).length);
  });

  it('keep the same digests across runs (pinned values)', () => {
    expect(layer.digest).toBe(PINNED.digest);
    expect(layer.diffId).toBe(PINNED.diffId);
  });

  it('weigh their size plus a small gzip/tar overhead', () => {
    const big = buildLayer({ name: 'big', sizeBytes: 2 * 1024 * 1024, seed: 'big' });
    expect(big.size).toBeGreaterThan(2 * 1024 * 1024);
    expect(big.size).toBeLessThan(2 * 1024 * 1024 + 4096);
  });
});

describe('images', () => {
  it('have an amd64/linux config listing the diff ids and a schema2 manifest pointing at config and layers', () => {
    const a = buildLayer({ name: 'a', sizeBytes: 10, seed: 'a' });
    const b = buildLayer({ name: 'b', sizeBytes: 20, seed: 'b' });
    const img = buildImage({ repository: 'r/x', tag: 't', layers: ['a', 'b'] }, [a, b]);
    const config = JSON.parse(img.config.data.toString('utf8'));
    expect(config.architecture).toBe('amd64');
    expect(config.os).toBe('linux');
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [a.diffId, b.diffId] });
    const manifest = JSON.parse(img.manifest.data.toString('utf8'));
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe(MEDIA_TYPES.manifest);
    expect(manifest.config).toEqual({ mediaType: MEDIA_TYPES.config, size: img.config.size, digest: img.config.digest });
    expect(manifest.layers).toEqual([
      { mediaType: MEDIA_TYPES.layer, size: a.size, digest: a.digest },
      { mediaType: MEDIA_TYPES.layer, size: b.size, digest: b.digest },
    ]);
    expect(sha256sum(fileOf('manifest.json', img.manifest.data))).toBe(img.manifest.digest);
  });

  it('can carry one given file (an executable) and an entrypoint, read back by tar(1)', () => {
    const program = Buffer.from('#!/bin/sh\necho hi\n');
    const layer = buildLayer({ name: 'prog', file: { path: 'prog', content: program, mode: 0o755 } });
    const tarFile = fileOf('prog.tar', execFileSync('gzip', ['-dc', fileOf('prog.tar.gz', layer.data)]));
    expect(sha256sum(tarFile)).toBe(layer.diffId);
    expect(execFileSync('tar', ['-tvf', tarFile, '--numeric-owner'], { encoding: 'utf8' })).toMatch(
      new RegExp(`^-rwxr-xr-x 0/0 +${program.length} 1970-01-01 00:00 prog\\n$`),
    );
    expect(execFileSync('tar', ['-xOf', tarFile, 'prog'])).toEqual(program);
    const img = buildImage({ repository: 'r/run', tag: 't', layers: ['prog'], entrypoint: ['/prog', '-x'] }, [layer]);
    expect(JSON.parse(img.config.data.toString('utf8')).config.Entrypoint).toEqual(['/prog', '-x']);
  });

  it('refuse a set naming an undefined layer or defining one twice', () => {
    expect(() => buildImageSet({ layers: [], images: [{ repository: 'r', tag: 't', layers: ['nope'] }] })).toThrowError(
      expect.objectContaining({ code: 'IMAGE_BAD_SET' }),
    );
    const l = { name: 'x', sizeBytes: 1, seed: 'x' };
    expect(() => buildImageSet({ layers: [l, l], images: [] })).toThrowError(expect.objectContaining({ code: 'IMAGE_BAD_SET' }));
  });
});

describe('the sample image set', () => {
  const images = buildImageSet(SAMPLE_IMAGE_SET);
  const byRef = new Map(images.map((i) => [`${i.repository}:${i.tag}`, i]));

  it('has base, two runtimes and ten apps', () => {
    expect([...byRef.keys()].sort()).toEqual(
      ['hound/base:latest', 'hound/runtime-a:latest', 'hound/runtime-b:latest', ...Array.from({ length: 10 }, (_, i) => `hound/app${i}:latest`)].sort(),
    );
  });

  it('shares layers the way the benchmark expects: even apps on runtime-a, odd on runtime-b, all on base', () => {
    const base = byRef.get('hound/base:latest')!.layers[0].digest;
    const ra = byRef.get('hound/runtime-a:latest')!.layers.map((l) => l.digest);
    const rb = byRef.get('hound/runtime-b:latest')!.layers.map((l) => l.digest);
    expect(ra[0]).toBe(base);
    expect(rb[0]).toBe(base);
    for (let i = 0; i < 10; i++) {
      const app = byRef.get(`hound/app${i}:latest`)!.layers.map((l) => l.digest);
      expect(app.slice(0, 2)).toEqual(i % 2 === 0 ? ra : rb);
    }
    const unique = new Set(images.flatMap((i) => i.layers.map((l) => l.digest)));
    expect(unique.size).toBe(13);
  });

  it('has 5 MiB base, 4 MiB runtime and 2 MiB app layers on the wire', () => {
    const app = byRef.get('hound/app3:latest')!;
    const sizes = app.layers.map((l) => Math.round(l.size / (1024 * 1024)));
    expect(sizes).toEqual([5, 4, 2]);
  });
});

// Computed once by this builder and checked with sha256sum/gzip above; a change here means
// every lab image and benchmark digest changes.
const PINNED = {
  digest: 'sha256:77fc101effff619aa16d67b3a5f8a2aa09ff0fdcbc4b29d20bbdabec8b4c9811',
  diffId: 'sha256:1df5b225c6676aa50aa34c04c09128654c29916324c1e4bb58b9353932fa27a8',
};
