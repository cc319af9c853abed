import type { Command } from 'commander';

// Placeholder: the 'apply' command is being built (see the issues); it registers nothing yet.
export function register(_program: Command): void {}
