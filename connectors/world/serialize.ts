import { createHash } from 'node:crypto';
import { BOOK_KINDS, RECORD_KIND } from './book-kinds.ts';
import type { RepBook, WorldHeader } from './types.ts';

export interface WorldDigest {
  /** Hex sha256 of the canonical NDJSON rendering. */
  sha256: string;
  bytes: number;
  /** Lines by `kind` ('options', 'org', 'user', 'queue', 'book', 'lead', 'call', …). */
  counts: Record<string, number>;
}

interface WorldSource {
  header: WorldHeader;
  books(): Iterable<RepBook>;
}

const FLUSH_CHARACTERS = 1 << 20;

/**
 * The canonical NDJSON rendering: one `{"kind":…,"record":…}` object per line, keys sorted at
 * every level, numbers as JSON prints them. Header lines first (options, org, users, queues),
 * then per rep a `book` line followed by its records kind by kind, in key order.
 */
export function* worldLines(source: WorldSource): Generator<string> {
  const { header } = source;
  yield line('options', header.options);
  yield line('org', header.org);
  for (const user of header.users) yield line('user', user);
  for (const queue of header.queues) yield line('queue', queue);
  for (const book of source.books()) {
    yield line('book', { repKey: book.repKey });
    for (const kind of BOOK_KINDS) {
      const recordKind = RECORD_KIND[kind];
      for (const record of book[kind]) yield line(recordKind, record);
    }
  }
}

/** Hashes the lines as they stream by, counting them per kind. */
export function digestWorldLines(lines: Iterable<string>): WorldDigest {
  const hash = createHash('sha256');
  const counts: Record<string, number> = {};
  let bytes = 0;
  let pending = '';
  const flush = () => {
    bytes += Buffer.byteLength(pending);
    hash.update(pending, 'utf8');
    pending = '';
  };
  for (const text of lines) {
    const kind = text.slice(KIND_OFFSET, text.indexOf('"', KIND_OFFSET));
    counts[kind] = (counts[kind] ?? 0) + 1;
    pending += text;
    if (pending.length >= FLUSH_CHARACTERS) flush();
  }
  flush();
  return { sha256: hash.digest('hex'), bytes, counts };
}

const KIND_OFFSET = '{"kind":"'.length;

function line(kind: string, record: unknown): string {
  return `{"kind":${JSON.stringify(kind)},"record":${canonicalJson(record)}}\n`;
}

const quotedKeys = new Map<string, string>();

/** JSON with object keys sorted (recursively), so equal values always serialise identically. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    let quoted = quotedKeys.get(key);
    if (quoted === undefined) quotedKeys.set(key, (quoted = JSON.stringify(key)));
    out += `${out ? ',' : ''}${quoted}:${canonicalJson(item)}`;
  }
  return `{${out}}`;
}
