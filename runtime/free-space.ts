// Free bytes on the filesystem that holds a runtime's images, read with GNU df over SSH.
import { TaskFailedError } from '../base/errors.js';
import type { HostConnection } from '../transport/types.js';
import { shlexQuote } from '../base/shlex.js';

/** `runtime` names the runtime in the error (containerd, CRI-O, …). */
export async function freeBytesAt(connection: HostConnection, dir: string, runtime: string): Promise<number> {
  const result = await connection.exec(`df -B1 --output=avail ${shlexQuote(dir)}`);
  const value = Number(result.stdout.trim().split('\n').pop()?.trim());
  if (result.code !== 0 || !Number.isFinite(value)) {
    throw new TaskFailedError(
      connection.host,
      'RUNTIME_DF_FAILED',
      `could not read free space of ${runtime}'s ${dir} on ${connection.host}: ${result.stderr.trim() || `exit ${result.code}`}`,
      { hint: 'hound needs GNU df (coreutils) on the node' },
    );
  }
  return value;
}
