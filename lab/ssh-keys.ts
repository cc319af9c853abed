// Key pairs for the lab: one client key (what the inventory logs in with) and one host key
// per node (what known_hosts pins). All generated fresh by ssh-keygen on each `up`.
import { readFile } from 'node:fs/promises';
import { runCommand } from './host-command.js';

/** Generates an ed25519 pair at `file` / `file.pub`; resolves to the public key line. */
export async function generateKeyPair(sshKeygen: string, file: string, comment: string): Promise<string> {
  await runCommand(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return readFile(`${file}.pub`, 'utf8');
}
