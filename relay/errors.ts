// Errors the relay raises. They join the project's hierarchy so the executor can report
// them like any other task failure, with a stable code and a hint.
import { HoundError, EXIT } from '../base/errors.js';

/** A blob from the origin did not hash to the digest it was asked for. */
export class BlobDigestMismatchError extends HoundError {
  constructor(origin: string, repo: string, expected: string, actual: string) {
    super('RELAY_DIGEST_MISMATCH', `blob from ${origin}/${repo} hashed to ${actual}, expected ${expected}`, EXIT.ERROR, {
      hint: 'the origin registry served corrupt or different content; check its storage, or pull with distribution: direct',
    });
  }
}

/** The blob's byte count differs from what the origin announced. */
export class BlobSizeMismatchError extends HoundError {
  constructor(origin: string, repo: string, digest: string, expected: number, actual: number) {
    super('RELAY_SIZE_MISMATCH', `blob ${digest} from ${origin}/${repo} had ${actual} bytes, the origin announced ${expected}`, EXIT.ERROR, {
      hint: 'the connection to the origin registry was cut or the registry misbehaves; retry the run',
    });
  }
}

/** The origin registry answered with an error or could not be reached. */
export class OriginError extends HoundError {
  readonly status?: number;
  constructor(origin: string, message: string, status?: number, cause?: unknown) {
    super('RELAY_ORIGIN_FAILED', `registry ${origin}: ${message}`, EXIT.ERROR, {
      hint:
        status === 401 || status === 403
          ? 'check the credentials for this registry (registry_login or ~/.docker/config.json)'
          : 'check that the registry is reachable from the controller and serves this image',
      cause,
    });
    this.status = status;
  }
}

/** An image's registry is not one the relay was started for, or the relay is closed. */
export class RelayUsageError extends HoundError {
  constructor(message: string, hint: string) {
    super('RELAY_USAGE', message, EXIT.ERROR, { hint });
  }
}

/** `distribution: auto` could not measure the links (relay/link-probe.ts); the run falls back to the plan-only rule. */
export class LinkProbeError extends HoundError {
  constructor(message: string) {
    super('RELAY_PROBE_FAILED', message, EXIT.ERROR, {
      hint: 'state the rates in the inventory (hound_registry_rate, hound_controller_rate, hound_node_rate), or choose --distribution',
    });
  }
}
