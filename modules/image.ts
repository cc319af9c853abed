// `image`: one image present, latest or absent on the host.
import type { NodeFacts } from '../runtime/node-facts.js';
import { parseImageRef } from '../base/image-ref.js';
import { imageModule } from './schemas.js';
import { applyPull, applyRemove, planPull, planRemove } from './image-actions.js';
import type { NodeModule } from './implementation.js';

export interface ImageArgs {
  name: string;
  state?: 'present' | 'absent' | 'latest';
  platform?: string;
  force?: boolean;
}

export interface ImageFacts {
  node: NodeFacts;
  /** The registry's manifest digest for `name`, only gathered for state: latest. */
  remoteDigest?: string;
}

export const image: NodeModule<ImageArgs, ImageFacts> = {
  kind: 'node',
  definition: imageModule,

  async gather(args, ctx) {
    // Removal must know which containers use the image; presence needs only the image itself.
    const node = args.state === 'absent' ? await ctx.facts() : await ctx.factsFor([args.name]);
    const wantsRegistry = args.state === 'latest' && parseImageRef(args.name).digest === undefined;
    return { node, remoteDigest: wantsRegistry ? await ctx.remoteDigest(args.name, args.platform) : undefined };
  },

  plan(facts, args) {
    const state = args.state ?? 'present';
    if (state === 'absent') return [planRemove(facts.node, args.name, args.force ?? false)];
    const action = planPull(facts.node, args.name, state, args.platform, facts.remoteDigest);
    // force re-pulls even a present image (a pull of a present image costs a manifest request).
    if (action.kind === 'none' && args.force) return [{ kind: 'pull', image: args.name, platform: args.platform, reason: 'force' }];
    return [action];
  },

  async apply(action, _args, ctx) {
    if (action.kind === 'pull') {
      const outcome = await applyPull(action, ctx);
      // A forced pull that fetched nothing new changed nothing.
      if (action.reason === 'force' && outcome.bytes === 0 && outcome.data?.layers_downloaded === 0)
        return { ...outcome, changed: false, msg: `${action.image} already up to date` };
      return outcome;
    }
    if (action.kind === 'remove') return applyRemove(action, ctx, 'name');
    return { changed: false, bytes: 0, msg: action.reason };
  },
};
