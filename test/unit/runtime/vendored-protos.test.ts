import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serviceClass } from '../../../runtime/grpc.js';
import { vendoredFile } from '../../../runtime/vendored-file.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const recorded = (origin: string) => /sha256 of the file as trimmed here: ([0-9a-f]{64})/.exec(readFileSync(vendoredFile(origin), 'utf8'))![1];

describe('vendored API definitions', () => {
  it('are the published files trimmed to the calls hound makes, byte for byte as their ORIGIN.md records', () => {
    expect(sha256(vendoredFile('runtime/cri/api.proto'))).toBe(recorded('runtime/cri/ORIGIN.md'));
    expect(sha256(vendoredFile('runtime/containerd/content.proto'))).toBe(recorded('runtime/containerd/ORIGIN.md'));
  });

  it('load, with exactly the calls hound and its lab tests make', () => {
    const methods = (proto: string, service: string) => Object.keys(serviceClass(proto, service).service).sort();
    expect(methods('runtime/cri/api.proto', 'runtime.v1.ImageService')).toEqual(['ImageFsInfo', 'ImageStatus', 'ListImages', 'PullImage', 'RemoveImage']);
    expect(methods('runtime/cri/api.proto', 'runtime.v1.RuntimeService')).toEqual([
      'ContainerStatus',
      'CreateContainer',
      'ListContainers',
      'RemoveContainer',
      'RemovePodSandbox',
      'RunPodSandbox',
      'StartContainer',
      'Status',
      'StopContainer',
      'StopPodSandbox',
      'Version',
    ]);
    expect(methods('runtime/containerd/content.proto', 'containerd.services.content.v1.Content')).toEqual(['List', 'ListStatuses', 'Read']);
  });
});
