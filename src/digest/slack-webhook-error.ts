import { AttainError } from '../errors/attain-error.ts';

/**
 * A Slack incoming webhook answered with an error status. The message carries the status and
 * Slack's short error text (e.g. "invalid_blocks", "no_service"), never the webhook URL.
 */
export class SlackWebhookError extends AttainError {
  readonly status: number;
  /** 4xx other than 429: the same payload to the same webhook would fail again. */
  readonly permanent: boolean;

  constructor(status: number, body: string) {
    super(`Slack webhook answered HTTP ${status}${body ? `: ${body}` : ''}`);
    this.status = status;
    this.permanent = status >= 400 && status < 500 && status !== 429;
  }
}
