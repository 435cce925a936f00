import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/**
 * CRM metadata (describes, property definitions, schemas) that changes rarely and is read often,
 * kept in crm_metadata per connection and key so a routine run spends its API calls on data.
 * An entry older than `maxAgeHours` is fetched again; so is every entry when `refresh` is set
 * (`--full`, or after the CRM says a field attain selected does not exist) and any entry forgotten
 * after attain changed it in the CRM.
 */
export class CrmMetadataStore {
  readonly #db: Kysely<DB>;
  readonly #connectionId: string;
  readonly #maxAgeMs: number;
  #refreshAll: boolean;
  readonly #memory = new Map<string, unknown>();
  readonly #stale = new Set<string>();

  constructor(options: { db: Kysely<DB>; connectionId: string; maxAgeHours: number; refresh?: boolean }) {
    this.#db = options.db;
    this.#connectionId = options.connectionId;
    this.#maxAgeMs = options.maxAgeHours * 3_600_000;
    this.#refreshAll = options.refresh ?? false;
  }

  /** The stored value of `key` while fresh, else `fetch()`'s, stored for the next run. */
  async cached<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    if (this.#memory.has(key)) return this.#memory.get(key) as T;
    if (!this.#refreshAll && !this.#stale.has(key)) {
      const row = await this.#db
        .selectFrom('crm_metadata')
        .select(['value', 'fetched_at'])
        .where('connection_id', '=', this.#connectionId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (row && Date.now() - row.fetched_at.getTime() < this.#maxAgeMs) {
        this.#memory.set(key, row.value);
        return row.value as T;
      }
    }
    const value = await fetch();
    await sql`
      INSERT INTO crm_metadata (connection_id, key, value, fetched_at)
      VALUES (${this.#connectionId}, ${key}, ${JSON.stringify(value)}::jsonb, now())
      ON CONFLICT (connection_id, key) DO UPDATE SET value = excluded.value, fetched_at = excluded.fetched_at`.execute(
      this.#db,
    );
    this.#stale.delete(key);
    this.#memory.set(key, value);
    return value;
  }

  /** The next read of `key` goes to the CRM. */
  forget(key: string): void {
    this.#memory.delete(key);
    this.#stale.add(key);
  }

  /** Every next read goes to the CRM. */
  forgetAll(): void {
    this.#memory.clear();
    this.#refreshAll = true;
  }
}
