// Placeholder for the executor entry point: runs a compiled playbook on the hosts.
// The executor issue replaces the body; the signature is the contract cli/play.ts uses.
import type { CompiledRun } from './compiled.js';
import type { Inventory } from '../inventory/model.js';
import { HoundError } from './errors.js';

export interface RunOptions {
  inventory: Inventory;
  forks?: number;
  check: boolean;
  diff: boolean;
  verbosity: number;
  reporter: 'auto' | 'tty' | 'plain' | 'json';
  /** OpenSSH StrictHostKeyChecking equivalent. */
  hostKeyChecking?: 'yes' | 'accept-new' | 'no';
  distribution?: 'direct' | 'relay' | 'auto';
  signal?: AbortSignal;
}

/** Resolves to the process exit code (see EXIT). */
export async function executeRun(_run: CompiledRun, _options: RunOptions): Promise<number> {
  throw new HoundError('NOT_IMPLEMENTED', 'running playbooks is not built yet');
}
