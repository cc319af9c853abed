// docker_image's archive_path and push, the decisions community.docker 3.4.7 makes and hound
// ports (modules/docker-image-archive.ts, modules/docker-image-push.ts). The lab run is in
// test/integration/community-docker-parity.test.ts against ansible-playbook itself.
import { describe, expect, it } from 'vitest';
import { archivedImageAction, archivedImageOf, nodePathWord } from '../../../modules/docker-image-archive.js';
import { pushFailure, pushOutcome } from '../../../modules/docker-image-push.js';

const ID = '0b1fd44437dd43149ffa335483830d1378fa8c088a8cc172b0d6e447a308394a';

describe("docker_image's archive on the node", () => {
  it("reads the image id and names from manifest.json as the module does (Docker 20's config file, and the OCI layout's blob path)", () => {
    expect(archivedImageOf(JSON.stringify([{ Config: `${ID}.json`, RepoTags: ['r/app:1'], Layers: [] }]))).toEqual({
      kind: 'archive',
      image: { imageId: ID, repoTags: ['r/app:1'] },
    });
    // Docker 25+ names the config by its blob path: os.path.splitext keeps it whole, so it never matches an id.
    expect(archivedImageOf(JSON.stringify([{ Config: `blobs/sha256/${ID}`, RepoTags: null }]))).toEqual({
      kind: 'archive',
      image: { imageId: `blobs/sha256/${ID}`, repoTags: null },
    });
  });

  it('calls a file that is not a one-image archive unreadable, saying why', () => {
    expect(archivedImageOf('not json')).toMatchObject({
      kind: 'unreadable',
      why: expect.stringMatching(/^Failed to decode and deserialize manifest.json/) as unknown,
    });
    expect(archivedImageOf('[]')).toEqual({ kind: 'unreadable', why: 'Expected to have one entry in manifest.json but found 0' });
    expect(archivedImageOf('[{"RepoTags": []}]')).toMatchObject({ kind: 'unreadable', why: expect.stringContaining("'Config'") as unknown });
    expect(archivedImageOf(`[{"Config": "${ID}.json"}]`)).toMatchObject({ kind: 'unreadable', why: expect.stringContaining("'RepoTags'") as unknown });
  });

  it('writes unless the archive holds the same id under exactly this one name, with the action the module reports', () => {
    const held = { kind: 'archive' as const, image: { imageId: ID, repoTags: ['r/app:1'] } };
    expect(archivedImageAction('a.tar', 'r/app:1', `sha256:${ID}`, held)).toBeUndefined();
    expect(archivedImageAction('a.tar', 'r/app:2', `sha256:${ID}`, held)).toBe(
      `Archived image r/app:2 to a.tar, overwriting archive with image ${ID} named r/app:1`,
    );
    expect(archivedImageAction('a.tar', 'r/app:1', 'sha256:other', held)).toBe(
      `Archived image r/app:1 to a.tar, overwriting archive with image ${ID} named r/app:1`,
    );
    expect(archivedImageAction('a.tar', 'r/app:1', `sha256:${ID}`, { kind: 'missing' })).toBe('Archived image r/app:1 to a.tar, since none present');
    expect(archivedImageAction('a.tar', 'r/app:1', `sha256:${ID}`, { kind: 'unreadable', why: 'x' })).toBe(
      'Archived image r/app:1 to a.tar, overwriting an unreadable archive file',
    );
  });

  it("quotes the path for the node's shell, with ~ as the remote user's home", () => {
    expect(nodePathWord("/data/it's.tar")).toBe(`'/data/it'"'"'s.tar'`);
    expect(nodePathWord('~/images/a b.tar')).toBe(`"$HOME"/'images/a b.tar'`);
    expect(nodePathWord('my_sinatra.tar')).toBe('my_sinatra.tar');
  });
});

describe("docker_image's push through the node's Docker", () => {
  it('is changed when a layer went up, and keeps the last line’s status (null after the digest line), as the module', () => {
    const lines = [
      { status: 'The push refers to repository [r:5000/app]' },
      { status: 'Preparing', id: 'a1' },
      { status: 'Pushing', id: 'a1', progressDetail: { current: 1, total: 2 } },
      { status: 'Pushed', id: 'a1' },
      { status: '1: digest: sha256:abc size: 525' },
      { progressDetail: {}, aux: { Tag: '1', Digest: 'sha256:abc', Size: 525 } },
    ];
    expect(pushOutcome(lines)).toEqual({ pushed: true, status: null });
    expect(
      pushOutcome([
        { status: 'Preparing', id: 'a1' },
        { status: 'Layer already exists', id: 'a1' },
      ]),
    ).toEqual({ pushed: false, status: 'Layer already exists' });
    expect(
      pushOutcome([{ status: 'Preparing' }, { errorDetail: { message: 'denied: requested access to the resource is denied' }, error: 'denied' }]),
    ).toMatchObject({
      error: 'denied: requested access to the resource is denied',
    });
  });

  it("fails with the module's words, hinting at a login when the registry asks for one", () => {
    expect(pushFailure('r:5000', 'app', '1', 'r:5000/app', 'unauthorized: authentication required')).toBe(
      'Error pushing image r:5000/app:1 - unauthorized: authentication required. Try logging into r:5000 first.',
    );
    expect(pushFailure('r:5000', 'app', '1', 'r:5000/app', 'unauthorized: no such repo')).toMatch(/Does the repository exist\?$/);
    expect(pushFailure('r:5000', 'app', '1', 'r:5000/app', 'connection refused')).toBe('Error pushing image r:5000/app: connection refused');
  });
});
