import { describe, expect, it } from 'vitest';
import { canonicalImageRef, familiarImageRef, parseImageRef, manifestReference } from '../../../base/image-ref.js';
import { HoundError } from '../../../base/errors.js';

const DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('parseImageRef (Docker normalisation rules)', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27', 'nginx:1.27'],
    ['library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1', 'nginx:1'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7', 'bitnami/redis:7'],
    ['ghcr.io/org/team/app:v1.2', 'ghcr.io/org/team/app:v1.2', 'ghcr.io/org/team/app:v1.2'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest', 'localhost:5000/app:latest'],
    ['10.0.0.1:5000/hound/app0:latest', '10.0.0.1:5000/hound/app0:latest', '10.0.0.1:5000/hound/app0:latest'],
    ['Registry/app', 'Registry/app:latest', 'Registry/app:latest'],
    [`nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`, `nginx@${DIGEST}`],
    [`nginx:1.27@${DIGEST}`, `docker.io/library/nginx:1.27@${DIGEST}`, `nginx:1.27@${DIGEST}`],
    [`host:5000/a/b@${DIGEST}`, `host:5000/a/b@${DIGEST}`, `host:5000/a/b@${DIGEST}`],
    ['a__b/c-d.e_f:T.a-g_1', 'docker.io/a__b/c-d.e_f:T.a-g_1', 'a__b/c-d.e_f:T.a-g_1'],
    ['[::1]:5000/app:1', '[::1]:5000/app:1', '[::1]:5000/app:1'],
  ])('%s → %s', (input, canonical, familiar) => {
    const ref = parseImageRef(input);
    expect(canonicalImageRef(ref)).toBe(canonical);
    expect(familiarImageRef(ref)).toBe(familiar);
  });

  it('splits domain, path, tag, digest', () => {
    expect(parseImageRef(`reg.local:5000/team/app:2@${DIGEST}`)).toEqual({ domain: 'reg.local:5000', path: 'team/app', tag: '2', digest: DIGEST });
    expect(parseImageRef(`app@${DIGEST}`).tag).toBeUndefined();
  });

  it('asks the registry for the digest when pinned, else the tag', () => {
    expect(manifestReference(parseImageRef(`app:1@${DIGEST}`))).toBe(DIGEST);
    expect(manifestReference(parseImageRef('app:1'))).toBe('1');
    expect(manifestReference(parseImageRef('app'))).toBe('latest');
  });

  it.each([
    ['', 'empty'],
    ['Nginx', 'lowercase'],
    ['docker.io/Library/nginx', 'lowercase'],
    ['nginx:', 'not a valid tag'],
    ['nginx:-bad', 'not a valid tag'],
    ['nginx:' + 'a'.repeat(129), 'not a valid tag'],
    ['nginx@sha256:' + 'a'.repeat(40), 'sha256 digest'],
    ['nginx@sha256:abc', 'not a digest'],
    ['nginx@notadigest', 'not a digest'],
    ['a//b', 'name component'],
    ['-a.com/b', 'registry host'],
    ['-a/b', 'name component'],
    ['a/b-', 'name component'],
    [':tag', 'missing'],
    [' nginx', 'whitespace'],
    ['x/' + 'a'.repeat(260), 'longer than'],
  ])('rejects %j (%s)', (input, reason) => {
    let caught: unknown;
    try {
      parseImageRef(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HoundError);
    const error = caught as HoundError;
    expect(error.code).toBe('INVALID_IMAGE_REF');
    expect(error.message).toContain(reason);
    expect(error.hint).toBeTruthy();
  });
});
