// images_from_k8s(): the images a set of Kubernetes manifests (or Helm-rendered YAML)
// will run: containers, initContainers and ephemeralContainers of Pods and of every
// workload that carries a pod template, including `List` objects.
import { parseAllDocuments } from 'yaml';
import { ParseError, lineOf } from '../../base/errors.js';

export interface K8sImage {
  kind: string;
  namespace?: string;
  name?: string;
  container: string;
  image: string;
  file: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod spec inside an object of a known workload kind, or undefined. */
function podSpecOf(obj: Obj): Obj | undefined {
  const spec = obj.spec;
  if (!isObj(spec)) return undefined;
  switch (obj.kind) {
    case 'Pod':
      return spec;
    case 'CronJob': {
      const tmpl = (spec.jobTemplate as Obj | undefined)?.spec as Obj | undefined;
      const pod = (tmpl?.template as Obj | undefined)?.spec;
      return isObj(pod) ? pod : undefined;
    }
    default: {
      // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController, PodTemplate
      const pod = (spec.template as Obj | undefined)?.spec ?? (obj.template as Obj | undefined)?.spec;
      return isObj(pod) ? pod : undefined;
    }
  }
}

function collect(obj: Obj, file: string, out: K8sImage[]): void {
  if (obj.kind === 'List' && Array.isArray(obj.items)) {
    for (const item of obj.items) if (isObj(item)) collect(item, file, out);
    return;
  }
  const pod = podSpecOf(obj);
  if (!pod) return;
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = pod[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isObj(c) || typeof c.image !== 'string' || c.image.trim() === '') continue;
      out.push({
        kind: String(obj.kind),
        namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
        name: typeof meta.name === 'string' ? meta.name : undefined,
        container: typeof c.name === 'string' ? c.name : '',
        image: c.image.trim(),
        file,
      });
    }
  }
}

/** Reads every document of a manifest file (multi-document YAML, anchors allowed). */
export function k8sImagesFromText(text: string, file: string): K8sImage[] {
  const out: K8sImage[] = [];
  for (const doc of parseAllDocuments(text) as unknown as import('yaml').Document.Parsed[]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
      throw new ParseError('K8S_YAML', `invalid YAML in manifest: ${e.message.split('\n')[0]}`, {
        position: { file, line, column, sourceLine: lineOf(text, line) },
      });
    }
    const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (isObj(data)) collect(data, file, out);
  }
  return out;
}
