// Module names to implementations. Every definition in schemas.ts has one here.
import type { AnyModule } from './implementation.js';
import { image } from './image.js';
import { images } from './images.js';
import { registryLogin } from './registry-login.js';
import { load } from './load.js';
import { command } from './command.js';
import { debug } from './debug.js';
import { setFact } from './set-fact.js';
import { fail } from './fail.js';
import { assert } from './assert.js';

const MODULES: ReadonlyMap<string, AnyModule> = new Map<string, AnyModule>(
  [image, images, registryLogin, load, command, debug, setFact, fail, assert].map((m) => [m.definition.name, m]),
);

export function findModule(name: string): AnyModule | undefined {
  return MODULES.get(name);
}

export function moduleNames(): string[] {
  return [...MODULES.keys()];
}
