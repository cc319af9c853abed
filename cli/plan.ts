import type { Command } from 'commander';

// Placeholder: the 'plan' command is being built (see the issues); it registers nothing yet.
export function register(_program: Command): void {}
