import nodemailer from 'nodemailer';
import type { SmtpSettings } from './settings.ts';

export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, stable per slot: a re-send after a crash can be deduplicated by mail systems. */
  messageId: string;
}

export interface EmailSender {
  /** Sends one message; resolves with its Message-ID. */
  send(message: EmailMessage): Promise<string>;
  close(): void;
}

/** SMTP through nodemailer, one connection per message (a digest run sends a few dozen at most). */
export function createEmailSender(smtp: SmtpSettings): EmailSender {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    async send(message) {
      const info = await transport.sendMail({
        from: smtp.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}

// Failures that happen before any server reply and would happen again: missing credentials, bad
// transport options, an envelope without recipients.
const PERMANENT_WITHOUT_REPLY = new Set(['ENOAUTH', 'ECONFIG', 'EENVELOPE']);

/**
 * Whether retrying cannot help. A server reply decides by its code (nodemailer marks 5yz as
 * permanent, except 503); connection trouble, timeouts and 4yz replies are worth another try.
 */
export function isPermanentSmtpError(error: unknown): boolean {
  const failure = error as { code?: unknown; responseCode?: unknown; permanent?: unknown };
  if (typeof failure.responseCode === 'number') return failure.permanent === true;
  return typeof failure.code === 'string' && PERMANENT_WITHOUT_REPLY.has(failure.code);
}

/** A Message-ID that is the same for every attempt at one (schedule, recipient, channel, slot). */
export function digestMessageId(parts: readonly string[], from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'attain.invalid';
  const local = parts.map((part) => part.replace(/[^A-Za-z0-9._-]/g, '-')).join('.');
  return `<attain.${local}@${domain}>`;
}
