// images_from_k8s(): the images a set of Kubernetes manifests will run: every container,
// init container and ephemeral container of every pod template, in every document,
// including `List` items. Pod templates are looked for where Kubernetes and the common
// operators keep them (POD_SPECS), whatever the kind, so that an unknown CRD with
// `spec.template.spec` is read too; a few operators keep images outside a pod spec
// (OPERATOR_CONTAINERS). docs/lookups.md lists both.
import type { SourcePosition } from '../../base/errors.js';
import { readYamlDocuments, type YamlDocument } from './yaml-documents.js';

export interface K8sImage {
  kind: string;
  namespace?: string;
  name?: string;
  container: string;
  /** As written (trimmed); the caller checks and normalises it. */
  image: string;
  position: SourcePosition;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Paths to pod specs (PodSpec: containers, initContainers, ephemeralContainers), for any
 * kind. `*` is any key of a mapping, `[]` any item of a list.
 */
const POD_SPECS: string[][] = [
  ['spec', 'template', 'spec'], // Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController,
  // Argo Rollouts Rollout, OpenKruise CloneSet / Advanced StatefulSet / Advanced DaemonSet / BroadcastJob,
  // Knative Service / Configuration, and any CRD that embeds a pod template the same way
  ['template', 'spec'], // PodTemplate
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'], // CronJob
  ['spec', 'template', 'spec', 'jobTemplate', 'spec', 'template', 'spec'], // OpenKruise AdvancedCronJob
  ['spec', 'template', 'broadcastJobTemplate', 'spec', 'template', 'spec'], // OpenKruise AdvancedCronJob (BroadcastJob)
  ['spec', 'template', 'statefulSetTemplate', 'spec', 'template', 'spec'], // OpenKruise UnitedDeployment
  ['spec', 'template', 'advancedStatefulSetTemplate', 'spec', 'template', 'spec'],
  ['spec', 'template', 'cloneSetTemplate', 'spec', 'template', 'spec'],
  ['spec', 'template', 'deploymentTemplate', 'spec', 'template', 'spec'],
  ['spec', 'replicatedJobs', '[]', 'template', 'spec', 'template', 'spec'], // JobSet
  ['spec', 'tasks', '[]', 'template', 'spec'], // Volcano Job
  ['spec', 'jobTargetRef', 'template', 'spec'], // KEDA ScaledJob
  ['spec', '*', '*', 'template', 'spec'], // Kubeflow PyTorchJob/TFJob/MPIJob/XGBoostJob …ReplicaSpecs.<role>
  ['spec', 'headGroupSpec', 'template', 'spec'], // KubeRay RayCluster
  ['spec', 'workerGroupSpecs', '[]', 'template', 'spec'],
  ['spec', 'rayClusterSpec', 'headGroupSpec', 'template', 'spec'], // KubeRay RayJob
  ['spec', 'rayClusterSpec', 'workerGroupSpecs', '[]', 'template', 'spec'],
  ['spec', 'submitterPodTemplate', 'spec'],
  ['spec', 'rayClusterConfig', 'headGroupSpec', 'template', 'spec'], // KubeRay RayService
  ['spec', 'rayClusterConfig', 'workerGroupSpecs', '[]', 'template', 'spec'],
  ['spec', 'templates', '[]', 'template', 'spec'], // Argo Rollouts Experiment
  ['spec', 'metrics', '[]', 'provider', 'job', 'spec', 'template', 'spec'], // Argo Rollouts AnalysisTemplate / AnalysisRun job metrics
];
const POD_CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/** Operators that keep containers outside a PodSpec: paths to a container, or to a list of them. */
const OPERATOR_CONTAINERS: { kinds: string[]; containers: string[][] }[] = [
  // Argo Workflows: a template's container, script, init containers, sidecars and container set.
  ...[[], ['workflowSpec']].map((prefix) => ({
    kinds: prefix.length ? ['CronWorkflow'] : ['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate'],
    containers: ['container', 'script', 'initContainers', 'sidecars', 'containerSet.containers'].map((c) => [
      'spec',
      ...prefix,
      'templates',
      '[]',
      ...c.split('.'),
    ]),
  })),
  // Tekton: a task's steps, sidecars and step template, inline in runs and pipelines too.
  {
    kinds: ['Task', 'ClusterTask', 'TaskRun', 'Pipeline', 'PipelineRun'],
    containers: [
      ['spec'],
      ['spec', 'taskSpec'],
      ['spec', 'tasks', '[]', 'taskSpec'],
      ['spec', 'finally', '[]', 'taskSpec'],
      ['spec', 'pipelineSpec', 'tasks', '[]', 'taskSpec'],
      ['spec', 'pipelineSpec', 'finally', '[]', 'taskSpec'],
    ].flatMap((task) => [
      [...task, 'steps'],
      [...task, 'sidecars'],
      [...task, 'stepTemplate'],
    ]),
  },
  // OpenKruise SidecarSet: the sidecars it injects.
  {
    kinds: ['SidecarSet'],
    containers: [
      ['spec', 'containers'],
      ['spec', 'initContainers'],
    ],
  },
  // Spark Operator: one image for driver and executors, or one each.
  {
    kinds: ['SparkApplication', 'ScheduledSparkApplication'],
    containers: [['spec'], ['spec', 'driver'], ['spec', 'executor'], ['spec', 'template', 'driver'], ['spec', 'template', 'executor']],
  },
];

/** Every value at `path` below `node`, with its data path. */
function* valuesAt(node: unknown, path: string[], at: (string | number)[] = []): Generator<[unknown, (string | number)[]]> {
  if (path.length === 0) {
    yield [node, at];
    return;
  }
  const [step, ...rest] = path as [string, ...string[]];
  if (step === '[]') {
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) yield* valuesAt(node[i], rest, [...at, i]);
  } else if (step === '*') {
    if (isObj(node)) for (const key of Object.keys(node)) yield* valuesAt(node[key], rest, [...at, key]);
  } else if (isObj(node) && Object.hasOwn(node, step)) {
    yield* valuesAt(node[step], rest, [...at, step]);
  }
}

function collect(obj: Obj, doc: YamlDocument, at: (string | number)[], out: K8sImage[]): void {
  if (obj.kind === 'List' && Array.isArray(obj.items)) {
    obj.items.forEach((item, i) => isObj(item) && collect(item, doc, [...at, 'items', i], out));
    return;
  }
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const seen = new Set<unknown>();
  const add = (container: unknown, path: (string | number)[]) => {
    if (!isObj(container) || seen.has(container) || typeof container.image !== 'string' || container.image.trim() === '') return;
    seen.add(container);
    out.push({
      kind: String(obj.kind),
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      name: typeof meta.name === 'string' ? meta.name : undefined,
      container: typeof container.name === 'string' ? container.name : '',
      image: container.image.trim(),
      position: doc.positionOf([...at, ...path, 'image']),
    });
  };
  const addAll = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) value.forEach((c, i) => add(c, [...path, i]));
    else add(value, path);
  };
  const podSpecs = obj.kind === 'Pod' ? [['spec']] : POD_SPECS;
  for (const podPath of podSpecs) {
    for (const [pod, path] of valuesAt(obj, podPath)) {
      if (!isObj(pod)) continue;
      for (const field of POD_CONTAINER_LISTS) if (Array.isArray(pod[field])) addAll(pod[field], [...path, field]);
    }
  }
  for (const operator of OPERATOR_CONTAINERS) {
    if (!operator.kinds.includes(String(obj.kind))) continue;
    for (const containerPath of operator.containers) for (const [value, path] of valuesAt(obj, containerPath)) addAll(value, path);
  }
}

/** The images of every document of a manifest file; duplicate keys go to `onDuplicateKey`. */
export function k8sImagesFromText(text: string, file: string, onDuplicateKey: (message: string) => void = () => {}): K8sImage[] {
  const out: K8sImage[] = [];
  const docs = readYamlDocuments(text, file, {
    codePrefix: 'K8S',
    what: 'manifest',
    onDuplicateKey: ({ key, position: p }) =>
      onDuplicateKey(`${p.file}:${p.line}:${p.column}: duplicate key "${key}"; the last value is used, as PyYAML reads it`),
  });
  for (const doc of docs) if (isObj(doc.data)) collect(doc.data, doc, [], out);
  return out;
}
