// containerd's containers and tasks (containerd.services.containers.v1 and tasks.v1,
// runtime/containerd/containers.json), served on the same socket as its CRI. The CRI lists
// only the containers it made; a fan-out seed on containerd is made with `ctr` in the CRI's
// namespace, so the leftover survey lists the namespace's containers and their tasks here, as
// `ctr containers ls` and `ctr tasks ls` do through the same services, without two ctr
// processes per node at the run's start (a Go binary's start: 43 ms of CPU each, measured on
// an idle lab node; docs/scale.md).
import { type CallOptions, unaryCall, ServiceClient, type UnixChannel } from '../grpc.js';

const CONTAINERS_DESCRIPTOR = 'runtime/containerd/containers.json';
const CONTAINERS_SERVICE = 'containerd.services.containers.v1.Containers';
const TASKS_SERVICE = 'containerd.services.tasks.v1.Tasks';

/** A task's status, as containerd's API names it (containerd.v1.types.Status). */
export type ContainerdTaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

/** A container of the namespace, with its task's status; none when it has no task. */
export interface ContainerdContainer {
  id: string;
  labels: Record<string, string>;
  task?: ContainerdTaskStatus;
}

export class ContainersClient extends ServiceClient {
  private readonly metadata: Record<string, string>;

  constructor(target: string | UnixChannel, namespace: string) {
    super(target, [
      { descriptorFile: CONTAINERS_DESCRIPTOR, service: CONTAINERS_SERVICE },
      { descriptorFile: CONTAINERS_DESCRIPTOR, service: TASKS_SERVICE },
    ]);
    this.metadata = { 'containerd-namespace': namespace };
  }

  /**
   * The namespace's containers whose labels match `filters` (containerd's filter syntax, any
   * of them: `labels."io.hound.fanout"`), each with its task's status. The tasks are listed
   * after the containers: a container whose task starts between the two lists shows its task.
   */
  async list(filters: readonly string[], o: CallOptions = {}): Promise<ContainerdContainer[]> {
    const call = { ...o, metadata: this.metadata };
    const { containers } = await unaryCall<{ containers: Array<{ id: string; labels: Record<string, string> }> }>(
      this.channel.client(CONTAINERS_SERVICE),
      'List',
      { filters: [...filters] },
      call,
    );
    if (containers.length === 0) return [];
    // A task's id is its container's (containerd 1.6 leaves Process.container_id empty in this list, as `ctr tasks ls` shows).
    const { tasks } = await unaryCall<{ tasks: Array<{ id: string; status: ContainerdTaskStatus }> }>(this.channel.client(TASKS_SERVICE), 'List', {}, call);
    const status = new Map(tasks.map((t) => [t.id, t.status]));
    return containers.map((c) => {
      const task = status.get(c.id);
      return task === undefined ? { id: c.id, labels: c.labels } : { id: c.id, labels: c.labels, task };
    });
  }
}
