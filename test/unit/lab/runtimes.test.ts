import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { parseRuntimes } from '../../../lab/runtimes.js';
import { errorOf } from '../error-of.js';

describe('lab --runtimes', () => {
  it('defaults to Docker on every node (3 without --nodes)', () => {
    expect(parseRuntimes(undefined, undefined)).toEqual(['docker', 'docker', 'docker']);
    expect(parseRuntimes(undefined, 2)).toEqual(['docker', 'docker']);
  });

  it('cycles a list over --nodes, or gives one node per entry without it', () => {
    expect(parseRuntimes('docker,containerd,podman', 5)).toEqual(['docker', 'containerd', 'podman', 'docker', 'containerd']);
    expect(parseRuntimes('containerd', 2)).toEqual(['containerd', 'containerd']);
    expect(parseRuntimes(' podman , docker ', undefined)).toEqual(['podman', 'docker']);
  });

  it('takes counts in the order given; they decide the node count, or must agree with --nodes', () => {
    expect(parseRuntimes('docker=2,containerd=1,podman=1', undefined)).toEqual(['docker', 'docker', 'containerd', 'podman']);
    expect(parseRuntimes('podman=1,docker=0,containerd=2', 3)).toEqual(['podman', 'containerd', 'containerd']);
  });

  it.each([
    ['docker,cri-o', undefined, "unknown runtime 'cri-o'"],
    ['docker,,podman', undefined, 'empty entry'],
    ['docker=1,podman', undefined, 'mixes a list with counts'],
    ['docker=1,docker=2', undefined, "'docker' is counted twice"],
    ['docker=x', undefined, 'must be a whole number'],
    ['docker=0', undefined, 'counts no node'],
    ['docker=2,podman=1', 4, 'counts 3 nodes but --nodes is 4'],
  ])('refuses %s (nodes %s) with one LAB_BAD_RUNTIMES line, exit 5', (text, nodes, message) => {
    const e = errorOf(() => parseRuntimes(text, nodes));
    expect(e).toBeInstanceOf(HoundError);
    expect(e.code).toBe('LAB_BAD_RUNTIMES');
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain(message);
    expect(e.format()).not.toContain('\n    at ');
  });
});
