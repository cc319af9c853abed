// What an aborted operation rejects with: the signal's own reason when it is an Error (a
// HoundError saying why the run stopped, or a timeout's), else the DOM's AbortError, as
// Node's own abortable APIs reject.

export function abortErrorOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}
