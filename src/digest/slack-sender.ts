import type { SlackMessage } from './render-slack.ts';
import { SlackWebhookError } from './slack-webhook-error.ts';

// A webhook answers in well under a second; a hung connection must not hold the run.
const SLACK_TIMEOUT_MS = 15_000;
// Slack's error bodies are short codes; anything longer is not worth keeping.
const MAX_ERROR_BODY = 200;

/** Posts a Block Kit message to a Slack incoming webhook. */
export async function postSlackMessage(
  webhookUrl: string,
  message: SlackMessage,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(message),
    signal: AbortSignal.any([signal, AbortSignal.timeout(SLACK_TIMEOUT_MS)]),
  });
  const body = await response.text();
  if (!response.ok) throw new SlackWebhookError(response.status, body.trim().slice(0, MAX_ERROR_BODY));
}

export function isPermanentSlackError(error: unknown): boolean {
  return error instanceof SlackWebhookError && error.permanent;
}
