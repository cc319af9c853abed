import { describe, expect, it } from 'vitest';
import { hardLimits, renderContainersConf } from '../../../lab/podman-node.js';

// As the kernel prints it (fs/proc/base.c), hard limits this machine's kind has.
const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             96367                96367                processes 
Max open files            1024                 20000                files     
Max locked memory         8388608              8388608              bytes     
`;

describe("the lab's podman containers.conf", () => {
  it('reads the hard limit of each resource, and none where it is unlimited', () => {
    const limits = hardLimits(PROC_LIMITS);
    expect(limits.get('Max open files')).toBe(20000);
    expect(limits.get('Max processes')).toBe(96367);
    expect(limits.get('Max locked memory')).toBe(8388608);
    expect(limits.has('Max cpu time')).toBe(false);
  });

  it('sets open files to the hard limit and processes to at most 32768, and runs containers with runc', () => {
    const conf = renderContainersConf(hardLimits(PROC_LIMITS));
    expect(conf).toContain('default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]');
    expect(conf).toContain('runtime = "runc"');
    expect(conf).toContain('cgroup_manager = "cgroupfs"');
    const lower = renderContainersConf(hardLimits(PROC_LIMITS.replace('96367                96367', '4096                 4096 ')));
    expect(lower).toContain('"nproc=4096:4096"');
  });
});
