// `images`: a list of images present (or latest) on the host, pulled a few at a time so
// layers they share are fetched once; `exclusive` also removes every image not listed,
// except images containers use and, with `keep_recent: N`, the N most recent other tags of
// each listed repository (so a rollback stays warm).
import { containersUsing, findImage, referencesOf, type NodeFacts } from '../runtime/node-facts.js';
import { parseImageRef, repositoryName } from '../base/image-ref.js';
import type { DockerImage } from '../runtime/types.js';
import { imagesModule } from './schemas.js';
import { applyPull, applyRemove, planPull } from './image-actions.js';
import type { Action, NodeModule } from './implementation.js';

export interface ImagesArgs {
  names: string[];
  state?: 'present' | 'latest';
  platform?: string;
  exclusive?: boolean;
  keep_recent?: number;
  concurrency?: number;
}

export interface ImagesFacts {
  node: NodeFacts;
  /** Registry digests by reference, for state: latest. */
  remoteDigests: Map<string, string>;
}

export const DEFAULT_IMAGES_CONCURRENCY = 3;

export const images: NodeModule<ImagesArgs, ImagesFacts> = {
  kind: 'node',
  definition: imagesModule,

  async gather(args, ctx) {
    const node = args.exclusive ? await ctx.facts() : await ctx.factsFor(unique(args.names));
    const remoteDigests = new Map<string, string>();
    if (args.state === 'latest') {
      const pending = unique(args.names).filter((n) => parseImageRef(n).digest === undefined);
      const digests = await Promise.all(pending.map((n) => ctx.remoteDigest(n, args.platform)));
      pending.forEach((n, i) => remoteDigests.set(n, digests[i]));
    }
    return { node, remoteDigests };
  },

  plan(facts, args) {
    const state = args.state ?? 'present';
    const actions: Action[] = unique(args.names).map((n) => planPull(facts.node, n, state, args.platform, facts.remoteDigests.get(n)));
    if (args.exclusive) actions.push(...planExclusiveRemovals(facts.node, args.names, args.keep_recent ?? 0));
    return actions;
  },

  concurrency: (args) => args.concurrency ?? DEFAULT_IMAGES_CONCURRENCY,

  async apply(action, _args, ctx) {
    if (action.kind === 'pull') return applyPull(action, ctx);
    if (action.kind === 'remove') return applyRemove(action, ctx, 'id');
    return { changed: false, bytes: 0, msg: action.reason };
  },
};

/** Images on the node that no listed reference names, except those a container uses and the `keepRecent` most recent other tags of each listed repository. */
export function planExclusiveRemovals(facts: NodeFacts, names: readonly string[], keepRecent = 0): Action[] {
  const kept = new Set(names.map((n) => findImage(facts, n)?.id).filter((id): id is string => id !== undefined));
  const recent = mostRecentOthers(facts, names, kept, keepRecent);
  const actions: Action[] = [];
  for (const image of facts.images) {
    if (kept.has(image.id)) continue;
    const label = referencesOf(image)[0] ?? image.id;
    const users = containersUsing(facts, image);
    if (users.length > 0) {
      actions.push({ kind: 'none', image: label, reason: `kept ${label}: used by container ${users.map((c) => c.id.slice(0, 12)).join(', ')}` });
    } else if (recent.has(image.id)) {
      actions.push({
        kind: 'none',
        image: label,
        reason: `kept ${label}: one of the ${keepRecent} most recent other tags of ${recent.get(image.id)} (keep_recent)`,
      });
    } else {
      actions.push({ kind: 'remove', image: label, imageId: image.id, force: false, reason: 'not in the list (exclusive)' });
    }
  }
  return actions;
}

/**
 * Per listed repository, the `count` most recent (by `created`) unlisted images tagged in it,
 * mapped to that repository. Images containers use are kept anyway, so they do not take a place.
 */
function mostRecentOthers(facts: NodeFacts, names: readonly string[], listed: Set<string>, count: number): Map<string, string> {
  const recent = new Map<string, string>();
  if (count <= 0) return recent;
  const repos = new Set(names.map((n) => repositoryName(parseImageRef(n))));
  for (const repo of repos) {
    const candidates = facts.images.filter((i) => !listed.has(i.id) && containersUsing(facts, i).length === 0 && taggedIn(i, repo));
    candidates.sort((a, b) => createdTime(b) - createdTime(a) || a.id.localeCompare(b.id));
    for (const image of candidates.slice(0, count)) if (!recent.has(image.id)) recent.set(image.id, repo);
  }
  return recent;
}

function taggedIn(image: DockerImage, repo: string): boolean {
  return image.repoTags.some((t) => {
    if (t.startsWith('<none>')) return false;
    try {
      return repositoryName(parseImageRef(t)) === repo;
    } catch {
      return false;
    }
  });
}

/** Milliseconds since the epoch; an unreadable date sorts as oldest. */
function createdTime(image: { created: string }): number {
  const t = Date.parse(image.created);
  return Number.isNaN(t) ? 0 : t;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
