// `images`: a list of images present (or latest) on the host, pulled a few at a time so
// layers they share are fetched once; `exclusive` also removes every image not listed.
import { containersUsing, findImage, referencesOf, type NodeFacts } from '../core/facts.js';
import { parseImageRef } from '../core/image-ref.js';
import { imagesModule } from './schemas.js';
import { applyPull, applyRemove, planPull } from './image-actions.js';
import type { Action, NodeModule } from './implementation.js';

export interface ImagesArgs {
  names: string[];
  state?: 'present' | 'latest';
  platform?: string;
  exclusive?: boolean;
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
      pending.forEach((n, i) => remoteDigests.set(n, digests[i]!));
    }
    return { node, remoteDigests };
  },

  plan(facts, args) {
    const state = args.state ?? 'present';
    const actions: Action[] = unique(args.names).map((n) => planPull(facts.node, n, state, args.platform, facts.remoteDigests.get(n)));
    if (args.exclusive) actions.push(...planExclusiveRemovals(facts.node, args.names));
    return actions;
  },

  concurrency: (args) => args.concurrency ?? DEFAULT_IMAGES_CONCURRENCY,

  async apply(action, _args, ctx) {
    if (action.kind === 'pull') return applyPull(action, ctx);
    if (action.kind === 'remove') return applyRemove(action, ctx, 'id');
    return { changed: false, bytes: 0, msg: action.reason };
  },
};

/** Images on the node that no listed reference names, except those a container uses. */
export function planExclusiveRemovals(facts: NodeFacts, names: readonly string[]): Action[] {
  const kept = new Set(names.map((n) => findImage(facts, n)?.id).filter((id): id is string => id !== undefined));
  const actions: Action[] = [];
  for (const image of facts.images) {
    if (kept.has(image.id)) continue;
    const label = referencesOf(image)[0] ?? image.id;
    const users = containersUsing(facts, image);
    if (users.length > 0) {
      actions.push({ kind: 'none', image: label, reason: `kept ${label}: used by container ${users.map((c) => c.id.slice(0, 12)).join(', ')}` });
    } else {
      actions.push({ kind: 'remove', image: label, imageId: image.id, force: false, reason: 'not in the list (exclusive)' });
    }
  }
  return actions;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
