// Each node's images through its own runtime, whatever it is: Docker's socket, containerd's
// CRI, podman on the node. The matrix empties nodes and checks each run's outcome with these.
import type { LabInfo, LabNodeInfo } from '../lab/info.js';
import { emptyContainerdNode, missingContainerdImages, pullOnContainerdNode } from './node-images-containerd.js';
import { emptyPodmanNode, missingPodmanImages, pullOnPodmanNode } from './node-images-podman.js';
import { emptyNode, missingImages, pullOnNode } from './node-images.js';

export function emptyNodeOf(lab: LabInfo, node: LabNodeInfo): Promise<void> {
  switch (node.runtime) {
    case 'docker':
      return emptyNode(node);
    case 'containerd':
      return emptyContainerdNode(node);
    case 'podman':
      return emptyPodmanNode(lab, node);
  }
}

export function missingImagesOf(lab: LabInfo, node: LabNodeInfo, refs: readonly string[]): Promise<string[]> {
  switch (node.runtime) {
    case 'docker':
      return missingImages(node, refs);
    case 'containerd':
      return missingContainerdImages(node, refs);
    case 'podman':
      return missingPodmanImages(lab, node, refs);
  }
}

export function pullOnNodeOf(lab: LabInfo, node: LabNodeInfo, ref: string): Promise<void> {
  switch (node.runtime) {
    case 'docker':
      return pullOnNode(node, ref);
    case 'containerd':
      return pullOnContainerdNode(node, ref);
    case 'podman':
      return pullOnPodmanNode(lab, node, ref);
  }
}
