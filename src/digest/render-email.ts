import type { DigestFormatter } from './format.ts';
import type { Digest } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderText, subjectLine } from './render-text.ts';

export interface RenderedEmail {
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The HTML part. */
  html: string;
}

export function renderEmail(digest: Digest, fmt: DigestFormatter): RenderedEmail {
  const subject = subjectLine(digest, fmt);
  return { subject, text: renderText(digest, fmt), html: renderHtml(digest, subject, fmt) };
}
