// A pull that ran out of disk on a node: Docker only says "no space left on device" about
// some temp file. The user needs the host, how much the image wanted and how much was free.
import { TaskFailedError } from '../base/errors.js';
import { formatBytes } from '../base/bytes.js';

/** Docker's wording for ENOSPC, in pull and extract errors. */
export function isDiskFull(dockerError: string): boolean {
  return /no space left on device/i.test(dockerError);
}

/**
 * `announcedBytes`: compressed layer sizes Docker announced before failing (0 when it failed
 * before announcing any); `freeBytes`: free space on the data root after the failure, if readable.
 */
export function diskFullError(
  host: string,
  ref: string,
  dockerRoot: string | undefined,
  announcedBytes: number,
  freeBytes: number | undefined,
): TaskFailedError {
  const needed =
    announcedBytes > 0
      ? `it needs about ${formatBytes(announcedBytes)} compressed, up to ${formatBytes(announcedBytes * 3)} unpacked`
      : 'the image did not fit';
  const free = freeBytes === undefined ? '' : `; ${formatBytes(freeBytes)} free in ${dockerRoot ?? "Docker's data root"}`;
  return new TaskFailedError(host, 'NODE_DISK_FULL', `${host} ran out of disk space pulling ${ref}: ${needed}${free}`, {
    hint: `free space on ${host} (docker image prune -a removes unused images) or give its Docker data root a bigger disk; \`hound plan\` shows what each node needs before pulling`,
  });
}
