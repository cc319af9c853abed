// `package`: the node's own package manager's module run with the task's name and state, as
// ansible-core 2.14's package action does: `use`, else the `ansible_pkg_mgr` fact when facts
// hold it, else what the node has (apt-get, then dnf, then yum).
import { manageAptPackages } from './apt.js';
import { manageRpmPackages } from './dnf.js';
import { packageModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface PackageArgs {
  name: string[];
  /** Absent: present, as apt, dnf and yum default it. */
  state?: string;
  use?: string;
}

const MANAGERS = ['apt', 'dnf', 'yum'] as const;
type Manager = (typeof MANAGERS)[number];
const COMMANDS: Record<Manager, string> = { apt: 'apt-get', dnf: 'dnf', yum: 'yum' };

async function nodeManager(ctx: ModuleContext): Promise<Manager | undefined> {
  const facts = ctx.vars.ansible_facts as Record<string, unknown> | undefined;
  const fact = facts?.pkg_mgr ?? ctx.vars.ansible_pkg_mgr;
  if (typeof fact === 'string' && (MANAGERS as readonly string[]).includes(fact)) return fact as Manager;
  const conn = await ctx.connection();
  for (const manager of MANAGERS) {
    const r = await conn.exec(`command -v ${COMMANDS[manager]} >/dev/null 2>&1`, { signal: ctx.signal, shownAs: `command -v ${COMMANDS[manager]}` });
    if (r.code === 0) return manager;
  }
  return undefined;
}

export async function managePackages(args: PackageArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const use = args.use === undefined || args.use === 'auto' ? await nodeManager(ctx) : (args.use as Manager);
  if (use === undefined) throw new ModuleFailure('Could not detect which package manager to use. Try gathering facts or setting the "use" option.');
  const state = args.state ?? 'present';
  if (use === 'apt') {
    if (!['absent', 'latest', 'present'].includes(state))
      throw new ModuleFailure(`value of state must be one of: absent, build-dep, fixed, latest, present, got: ${state}`);
    return manageAptPackages({ name: args.name, state: state as 'absent' | 'latest' | 'present' }, ctx);
  }
  if (!['absent', 'installed', 'latest', 'present', 'removed'].includes(state))
    throw new ModuleFailure(`value of state must be one of: absent, installed, latest, present, removed, got: ${state}`);
  return manageRpmPackages({ name: args.name, state: state as 'present' }, ctx, use);
}

export const packageManager = controllerModule<PackageArgs>(packageModule, managePackages);
