import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../../base/image-ref.js';
import { isAnyRunsRelayName, RelayNames } from '../../../relay/relay-names.js';

const DIGEST = 'sha256:' + 'cd'.repeat(32);

describe('RelayNames', () => {
  it('names a tagged image under the run token and the origin slug, and resolves it back', () => {
    const names = new RelayNames('htoken');
    const ref = parseImageRef('10.0.0.2:5000/hound/app0:latest');
    expect(names.relayReference(41234, ref)).toBe('127.0.0.1:41234/htoken/10.0.0.2_5000/hound/app0:latest');
    expect(names.resolve('htoken/10.0.0.2_5000/hound/app0')).toEqual({ origin: '10.0.0.2:5000', repo: 'hound/app0' });
  });

  it('keeps Docker Hub paths (library/) and pins digests when there is no tag', () => {
    const names = new RelayNames('htoken');
    const ref = parseImageRef(`nginx@${DIGEST}`);
    expect(names.relayReference(5, ref)).toBe(`127.0.0.1:5/htoken/docker.io/library/nginx@${DIGEST}`);
    expect(names.resolve('htoken/docker.io/library/nginx')).toEqual({ origin: 'docker.io', repo: 'library/nginx' });
  });

  it('the relay names are valid image references', () => {
    const names = new RelayNames();
    for (const reference of ['ghcr.io/org/team/app:v1', 'localhost:5000/a:b', `registry.example.com:443/x/y@${DIGEST}`]) {
      const relayed = names.relayReference(40000, parseImageRef(reference));
      const parsed = parseImageRef(relayed);
      expect(parsed.domain).toBe('127.0.0.1:40000');
      expect(names.resolve(parsed.path)).toEqual({ origin: parseImageRef(reference).domain, repo: parseImageRef(reference).path });
    }
  });

  it('falls back to a numbered slug for hosts that are not a path component', () => {
    const names = new RelayNames('htoken');
    const slug = names.slugFor('[fd00::1]:5000');
    expect(slug).toMatch(/^origin\d+$/);
    expect(names.resolve(`htoken/${slug}/a/b`)).toEqual({ origin: '[fd00::1]:5000', repo: 'a/b' });
  });

  it('refuses names without the token, with an unknown origin, or without a repository', () => {
    const names = new RelayNames('htoken');
    names.slugFor('10.0.0.2:5000');
    expect(names.resolve('other/10.0.0.2_5000/hound/app0')).toBeUndefined();
    expect(names.resolve('htoken/10.0.0.3_5000/hound/app0')).toBeUndefined();
    expect(names.resolve('htoken/10.0.0.2_5000')).toBeUndefined();
  });

  it("recognises the names any relay's run leaves among RepoTags/RepoDigests, its own and a killed run's, and nothing else", () => {
    const names = new RelayNames();
    names.slugFor('10.0.0.2:5000');
    const ref = { domain: '10.0.0.2:5000', path: 'hound/app0', tag: 'latest' };
    expect(isAnyRunsRelayName(names.relayReference(4000, ref))).toBe(true);
    expect(isAnyRunsRelayName(names.relayReferenceAt('10.0.0.11:25000', ref))).toBe(true);
    expect(isAnyRunsRelayName(new RelayNames().relayReferenceAt('10.0.0.11:25000', { ...ref, tag: undefined, digest: `sha256:${'a'.repeat(64)}` }))).toBe(true);
    expect(isAnyRunsRelayName('127.0.0.1:4000/other/10.0.0.2_5000/hound/app0:latest')).toBe(false);
    expect(isAnyRunsRelayName(`127.0.0.1:4000/h${'0'.repeat(23)}/10.0.0.2_5000/hound/app0:latest`)).toBe(false);
    expect(isAnyRunsRelayName('10.0.0.2:5000/hound/app0:latest')).toBe(false);
    expect(isAnyRunsRelayName(`registry.example/h${'0'.repeat(24)}/app:1`)).toBe(false);
  });

  it('makes a different token for each relay', () => {
    expect(new RelayNames().token).not.toBe(new RelayNames().token);
    expect(new RelayNames().token).toMatch(/^h[0-9a-f]{24}$/);
  });
});
