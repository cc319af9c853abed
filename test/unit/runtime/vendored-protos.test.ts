import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serviceClass } from '../../../runtime/grpc.js';
import { vendoredFile } from '../../../runtime/vendored-file.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const recorded = (origin: string) => /sha256 of the file: ([0-9a-f]{64})/.exec(readFileSync(vendoredFile(origin), 'utf8'))![1];

describe('vendored API definitions', () => {
  it('are the published files, byte for byte, as their ORIGIN.md records', () => {
    expect(sha256(vendoredFile('runtime/cri/api.proto'))).toBe(recorded('runtime/cri/ORIGIN.md'));
    expect(sha256(vendoredFile('runtime/containerd/content.proto'))).toBe(recorded('runtime/containerd/ORIGIN.md'));
  });

  it('load, with the calls hound makes', () => {
    const methods = (proto: string, service: string) => Object.keys(serviceClass(proto, service).service);
    expect(methods('runtime/cri/api.proto', 'runtime.v1.ImageService')).toEqual(
      expect.arrayContaining(['PullImage', 'ImageStatus', 'ListImages', 'RemoveImage', 'ImageFsInfo']),
    );
    expect(methods('runtime/cri/api.proto', 'runtime.v1.RuntimeService')).toEqual(
      expect.arrayContaining(['Version', 'Status', 'ListContainers', 'RunPodSandbox', 'CreateContainer', 'StartContainer', 'ContainerStatus']),
    );
    expect(methods('runtime/containerd/content.proto', 'containerd.services.content.v1.Content')).toEqual(
      expect.arrayContaining(['ListStatuses', 'List', 'Read']),
    );
  });
});
