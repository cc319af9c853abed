// `load`: stream an image tarball from the controller into `docker load` on the node,
// through the Docker API over SSH (no temp file on either side).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { findImage, type NodeFacts } from '../runtime/node-facts.js';
import { loadModule } from './schemas.js';
import { formatBytes } from '../base/bytes.js';
import { ModuleFailure, type NodeModule } from './implementation.js';

export interface LoadArgs {
  src: string;
  images?: string[];
  force?: boolean;
}

export interface LoadFacts {
  node: NodeFacts;
  sizeBytes: number;
}

export const load: NodeModule<LoadArgs, LoadFacts> = {
  kind: 'node',
  definition: loadModule,

  async gather(args, ctx) {
    let sizeBytes: number;
    try {
      const s = await stat(args.src);
      if (!s.isFile()) throw new ModuleFailure(`src ${args.src} is not a file`);
      sizeBytes = s.size;
    } catch (err) {
      if (err instanceof ModuleFailure) throw err;
      throw new ModuleFailure(`cannot read the image tarball ${args.src} on the controller: ${(err as Error).message}`);
    }
    return { node: await ctx.factsFor(args.images ?? []), sizeBytes };
  },

  plan(facts, args) {
    const listed = args.images ?? [];
    if (!args.force && listed.length > 0 && listed.every((n) => findImage(facts.node, n) !== undefined)) {
      return [{ kind: 'none', reason: `${listed.join(', ')} already present` }];
    }
    const reason = args.force ? 'force' : listed.length > 0 ? 'some listed images are missing' : 'no images listed to check';
    return [{ kind: 'load', src: args.src, images: listed, sizeBytes: facts.sizeBytes, reason }];
  },

  async apply(action, _args, ctx) {
    if (action.kind !== 'load') return { changed: false, bytes: 0, msg: action.reason };
    const docker = await ctx.docker();
    const loaded = await docker.loadImage(createReadStream(action.src), { signal: ctx.signal });
    ctx.invalidateFacts();
    return {
      changed: true,
      bytes: action.sizeBytes,
      msg: `loaded ${loaded.join(', ') || action.src} (${formatBytes(action.sizeBytes)})`,
      data: { loaded },
    };
  },
};
