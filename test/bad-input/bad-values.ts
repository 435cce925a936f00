/**
 * Values no CRM should send but some will: shared by the Salesforce and HubSpot bad-input tests.
 */

/** One megabyte of text in one field. */
export const HUGE = 'x'.repeat(1024 * 1024);

/**
 * Emoji (outside the BMP), right-to-left Arabic and Hebrew, a combining accent, a zero-width
 * joiner, a NUL, a terminal escape sequence, and a lone surrogate — all of which JSON can carry
 * and some of which PostgreSQL cannot store.
 */
export const ODD_UNICODE = '🚀 صفقة كبيرة עסקה e\u0301 👩\u200d💻 \u0000 \u001b[31mred\u001b[0m \ud800 end';

/** What ODD_UNICODE becomes once stored: NUL and the lone surrogate replaced by U+FFFD. */
export const ODD_UNICODE_STORED = ODD_UNICODE.replace('\u0000', '\ufffd').replace('\ud800', '\ufffd');
