// The gRPC descriptors hound ships (runtime/cri/api.json, runtime/containerd/content.json, images.json, namespaces.json and containers.json):
// the files ORIGIN.md records, with the calls hound makes, and speaking the wire format the
// runtimes speak. The wire bytes below are written by hand from upstream's .proto field numbers
// and types, so a descriptor that lost, renamed or renumbered a field hound uses fails here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MethodDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { serviceClass } from '../../../runtime/grpc.js';
import { vendoredFile } from '../../../runtime/vendored-file.js';

const CRI = 'runtime/cri/api.json';
const CONTENT = 'runtime/containerd/content.json';
const IMAGES = 'runtime/containerd/images.json';
const NAMESPACES = 'runtime/containerd/namespaces.json';
const CONTAINERS = 'runtime/containerd/containers.json';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const recorded = (name: string, origin: string) => new RegExp(`sha256 of ${name}: ([0-9a-f]{64})`).exec(readFileSync(vendoredFile(origin), 'utf8'))?.[1];
const methods = (descriptor: string, service: string) => Object.keys(serviceClass(descriptor, service).service).sort();
const method = (descriptor: string, service: string, name: string) => serviceClass(descriptor, service).service[name] as MethodDefinition<object, object>;

// Protobuf's wire format, just enough to write messages: a varint field, a length-delimited one.
function varint(value: number): number[] {
  const out: number[] = [];
  for (; value > 127; value = Math.floor(value / 128)) out.push((value % 128) | 128);
  return [...out, value];
}
const int = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
function len(field: number, value: string | number[]): number[] {
  const payload = typeof value === 'string' ? [...Buffer.from(value)] : value;
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
}
const mapEntry = (field: number, key: string, value: string) => len(field, [...len(1, key), ...len(2, value)]);
const wire = (...fields: number[][]) => Buffer.from(fields.flat());

describe('vendored gRPC descriptors', () => {
  it('are the files their ORIGIN.md records, byte for byte', () => {
    expect(sha256(vendoredFile(CRI))).toBe(recorded('api.json', 'runtime/cri/ORIGIN.md'));
    expect(sha256(vendoredFile(CONTENT))).toBe(recorded('content.json', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile(IMAGES))).toBe(recorded('images.json', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile('runtime/containerd/images.proto'))).toBe(recorded('images.proto', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile('runtime/containerd/descriptor.proto'))).toBe(recorded('descriptor.proto', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile(NAMESPACES))).toBe(recorded('namespaces.json', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile(CONTAINERS))).toBe(recorded('containers.json', 'runtime/containerd/ORIGIN.md'));
    expect(sha256(vendoredFile('runtime/containerd/namespace.proto'))).toBe(recorded('namespace.proto', 'runtime/containerd/ORIGIN.md'));
  });

  it('load, with exactly the calls hound and its lab tests make', () => {
    expect(methods(CRI, 'runtime.v1.ImageService')).toEqual(['ImageFsInfo', 'ImageStatus', 'ListImages', 'PullImage', 'RemoveImage']);
    expect(methods(CRI, 'runtime.v1.RuntimeService')).toEqual([
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
    expect(methods(CONTENT, 'containerd.services.content.v1.Content')).toEqual(['List', 'ListStatuses', 'Read']);
    expect(methods(IMAGES, 'containerd.services.images.v1.Images')).toEqual(['Create', 'Delete', 'Get']);
    expect(methods(NAMESPACES, 'containerd.services.namespaces.v1.Namespaces')).toEqual(['List']);
    expect(methods(CONTAINERS, 'containerd.services.containers.v1.Containers')).toEqual(['List']);
    expect(methods(CONTAINERS, 'containerd.services.tasks.v1.Tasks')).toEqual(['List']);
    expect(method(CONTENT, 'containerd.services.content.v1.Content', 'Read')).toMatchObject({
      path: '/containerd.services.content.v1.Content/Read',
      requestStream: false,
      responseStream: true,
    });
  });

  it("write hound's CRI requests as upstream numbers their fields", () => {
    expect(method(CRI, 'runtime.v1.ImageService', 'RemoveImage').requestSerialize({ image: { image: 'r/x:1' } })).toEqual(wire(len(1, len(1, 'r/x:1'))));
    const auth = { username: 'u', password: 'p', serverAddress: 's', identityToken: 'i', registryToken: 't' };
    expect(method(CRI, 'runtime.v1.ImageService', 'PullImage').requestSerialize({ image: { image: 'r/x:1' }, auth })).toEqual(
      wire(len(1, len(1, 'r/x:1')), len(2, [...len(1, 'u'), ...len(2, 'p'), ...len(4, 's'), ...len(5, 'i'), ...len(6, 't')])),
    );
    expect(method(CRI, 'runtime.v1.ImageService', 'ImageStatus').requestSerialize({ image: { image: 'r/x:1' }, verbose: true })).toEqual(
      wire(len(1, len(1, 'r/x:1')), int(2, 1)),
    );
    expect(method(CRI, 'runtime.v1.RuntimeService', 'Version').requestSerialize({ version: 'v1' })).toEqual(wire(len(1, 'v1')));
    expect(method(CRI, 'runtime.v1.RuntimeService', 'Status').requestSerialize({ verbose: true })).toEqual(wire(int(1, 1)));
  });

  it("read the CRI's answers into the fields hound uses (int64 as numbers, enums as names, maps as objects)", () => {
    const response = (service: string, call: string, ...fields: number[][]) => method(CRI, `runtime.v1.${service}`, call).responseDeserialize(wire(...fields));
    const image = [...len(1, 'sha256:c0'), ...len(2, 'r/x:1'), ...len(3, 'r/x@sha256:d1'), ...int(4, 5_000_000_000), ...int(8, 1)];
    const hounds = { id: 'sha256:c0', repoTags: ['r/x:1'], repoDigests: ['r/x@sha256:d1'], size: 5_000_000_000, pinned: true };
    expect(response('ImageService', 'ListImages', len(1, image))).toMatchObject({ images: [hounds] });
    expect(response('ImageService', 'ImageStatus', len(1, image), mapEntry(2, 'info', '{}'))).toMatchObject({ image: hounds, info: { info: '{}' } });
    expect(response('ImageService', 'ImageStatus')).toMatchObject({ image: null, info: {} });
    expect(response('ImageService', 'PullImage', len(1, 'sha256:c0'))).toEqual({ imageRef: 'sha256:c0' });
    const usage = [...int(1, 1_700_000_000), ...len(2, len(1, '/var/lib/containerd')), ...len(3, int(1, 123)), ...len(4, int(1, 7))];
    expect(response('ImageService', 'ImageFsInfo', len(1, usage))).toMatchObject({
      imageFilesystems: [{ timestamp: 1_700_000_000, fsId: { mountpoint: '/var/lib/containerd' }, usedBytes: { value: 123 }, inodesUsed: { value: 7 } }],
    });
    expect(response('RuntimeService', 'Version', len(1, '0.1.0'), len(2, 'containerd'), len(3, 'v1.6.20'), len(4, 'v1'))).toEqual({
      version: '0.1.0',
      runtimeName: 'containerd',
      runtimeVersion: 'v1.6.20',
      runtimeApiVersion: 'v1',
    });
    const condition = [...len(1, 'RuntimeReady'), ...int(2, 1), ...len(3, 'r'), ...len(4, 'm')];
    expect(response('RuntimeService', 'Status', len(1, len(1, condition)), mapEntry(2, 'config', '{}'))).toMatchObject({
      status: { conditions: [{ type: 'RuntimeReady', status: true, reason: 'r', message: 'm' }] },
      info: { config: '{}' },
    });
    const metadata = [...len(1, 'n'), ...int(2, 2)];
    const container = [...len(1, 'c1'), ...len(2, 'p1'), ...len(3, metadata), ...len(4, len(1, 'r/x:1')), ...len(5, 'sha256:c0'), ...int(6, 1), ...int(7, 9)];
    expect(response('RuntimeService', 'ListContainers', len(1, [...container, ...mapEntry(8, 'k', 'v')]))).toMatchObject({
      containers: [
        {
          id: 'c1',
          podSandboxId: 'p1',
          metadata: { name: 'n', attempt: 2 },
          image: { image: 'r/x:1' },
          imageRef: 'sha256:c0',
          state: 'CONTAINER_RUNNING',
          createdAt: 9,
          labels: { k: 'v' },
        },
      ],
    });
  });

  it("speak containerd's image store as hound calls it", () => {
    const images = (call: string) => method(IMAGES, 'containerd.services.images.v1.Images', call);
    expect(images('Get').path).toBe('/containerd.services.images.v1.Images/Get');
    expect(images('Get').requestSerialize({ name: 'r/x:1' })).toEqual(wire(len(1, 'r/x:1')));
    // Delete's sync (2) left unset: false, as ctr sends it without --sync.
    expect(images('Delete').requestSerialize({ name: 'r/x:1' })).toEqual(wire(len(1, 'r/x:1')));
    // Image: name 1, labels 2 (a map), target 3 (Descriptor: media_type 1, digest 2, size 3, annotations 5).
    const target = [...len(1, 'application/vnd.oci.image.manifest.v1+json'), ...len(2, 'sha256:m1'), ...int(3, 512), ...mapEntry(5, 'a', 'b')];
    const image = [...len(1, 'r/x:1'), ...mapEntry(2, 'io.cri-containerd.image', 'managed'), ...len(3, target)];
    const described = {
      name: 'r/x:1',
      labels: { 'io.cri-containerd.image': 'managed' },
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:m1', size: 512, annotations: { a: 'b' } },
    };
    expect(images('Get').responseDeserialize(wire(len(1, image)))).toMatchObject({ image: described });
    expect(images('Create').requestSerialize({ image: described })).toEqual(wire(len(1, image)));
  });

  it("speak containerd's namespaces service as hound calls it", () => {
    const list = method(NAMESPACES, 'containerd.services.namespaces.v1.Namespaces', 'List');
    expect(list.path).toBe('/containerd.services.namespaces.v1.Namespaces/List');
    expect(list.requestSerialize({})).toEqual(wire());
    // Namespace: name 1, labels 2.
    const response = wire(len(1, [...len(1, 'k8s.io')]), len(1, [...len(1, 'default'), ...mapEntry(2, 'k', 'v')]));
    expect(list.responseDeserialize(response)).toMatchObject({ namespaces: [{ name: 'k8s.io' }, { name: 'default', labels: { k: 'v' } }] });
  });

  it("speak containerd's containers and tasks services as hound calls them", () => {
    const containers = method(CONTAINERS, 'containerd.services.containers.v1.Containers', 'List');
    expect(containers.path).toBe('/containerd.services.containers.v1.Containers/List');
    // ListContainersRequest: filters 1 (repeated).
    expect(containers.requestSerialize({ filters: ['labels."io.hound.fanout"'] })).toEqual(wire(len(1, 'labels."io.hound.fanout"')));
    // Container: id 1, labels 2; image 3 and spec 5 (an Any) are upstream's and skipped.
    const container = [
      ...len(1, 'hound-seed-f0123456789'),
      ...mapEntry(2, 'io.hound.fanout', 'f0123456789'),
      ...len(3, 'r/x:1'),
      ...len(5, [...len(1, 'types.x'), ...len(2, [1])]),
    ];
    expect(containers.responseDeserialize(wire(len(1, container)))).toEqual({
      containers: [{ id: 'hound-seed-f0123456789', labels: { 'io.hound.fanout': 'f0123456789' } }],
    });
    const tasks = method(CONTAINERS, 'containerd.services.tasks.v1.Tasks', 'List');
    expect(tasks.path).toBe('/containerd.services.tasks.v1.Tasks/List');
    expect(tasks.requestSerialize({})).toEqual(wire());
    // Process: container_id 1 (empty in containerd 1.6's task list), id 2 (the task's, its container's), pid 3,
    // status 4 (containerd.v1.types.Status: RUNNING 2, PAUSED 4), exit_status 9.
    const process = (id: string, status: number) => [...len(2, id), ...int(3, 4242), ...int(4, status), ...int(9, 0)];
    expect(tasks.responseDeserialize(wire(len(1, process('a', 2)), len(1, process('b', 4))))).toEqual({
      tasks: [
        { id: 'a', status: 'RUNNING' },
        { id: 'b', status: 'PAUSED' },
      ],
    });
  });

  it("speak containerd's content store as hound calls it", () => {
    const content = (call: string) => method(CONTENT, 'containerd.services.content.v1.Content', call);
    expect(content('Read').requestSerialize({ digest: 'sha256:d1' })).toEqual(wire(len(1, 'sha256:d1')));
    expect(content('ListStatuses').requestSerialize({ filters: [] })).toEqual(wire());
    expect(content('Read').responseDeserialize(wire(int(1, 4), len(2, [1, 2])))).toEqual({ offset: 4, data: Buffer.from([1, 2]) });
    expect(content('List').responseDeserialize(wire(len(1, [...len(1, 'sha256:d1'), ...int(2, 4096)])))).toMatchObject({
      info: [{ digest: 'sha256:d1', size: 4096 }],
    });
    const status = [...len(3, 'layer-sha256:d1'), ...int(4, 100), ...int(5, 4096), ...len(6, 'sha256:d1')];
    expect(content('ListStatuses').responseDeserialize(wire(len(1, status)))).toMatchObject({
      statuses: [{ ref: 'layer-sha256:d1', offset: 100, total: 4096, expected: 'sha256:d1' }],
    });
  });
});
