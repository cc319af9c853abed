// The lab's public API, for the CLI, the benchmark and the integration tests.
export { labUp, labDown, labStatus } from './lifecycle.js';
export type { LabUpOptions, LabUpResult, LabDownResult, LabStatus, HostStatus } from './lifecycle.js';
export { readLabInfo } from './info.js';
export type { LabInfo, LabNodeInfo, LabRates } from './info.js';
export type { LabUsers } from './users.js';
export { labDirOf, DEFAULT_LAB_NAME } from './naming.js';
export { buildImageSet, buildLayer, buildImage, MEDIA_TYPES } from './image-builder.js';
export type { ImageSetSpec, LayerSpec, ImageSpec, PushedImage, BuiltImage, BuiltLayer } from './image-builder.js';
export { pushImageSet } from './registry-push.js';
export type { PushStats } from './registry-push.js';
export { SAMPLE_IMAGE_SET } from './sample-images.js';
export { claimRunLabName, claimLab, labInUseByOther, labOwner, reapAbandonedLabs, releaseLab } from './ownership.js';
