/** A HubSpot call outlived attain's own deadline (the client has none); classified as retryable. */
export class CallTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
