/**
 * Why the worker aborted a job's stage: 'shutdown' (SIGTERM: stop at the next safe point and hand
 * the job back to the queue) or 'lock-lost' (the job's lock expired, another worker owns it now).
 */
export class JobStoppedError extends Error {
  readonly reason: 'shutdown' | 'lock-lost';

  constructor(reason: 'shutdown' | 'lock-lost') {
    super(reason === 'shutdown' ? 'the worker is shutting down' : 'the job lock was lost to another worker');
    this.name = 'JobStoppedError';
    this.reason = reason;
  }
}
