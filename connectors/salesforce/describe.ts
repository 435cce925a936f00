import type { Connection } from 'jsforce';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { CrmMetadataStore } from '../../src/extract/crm-metadata-store.ts';
import { toAttainError } from './classify-error.ts';

export interface FieldInfo {
  name: string;
  type: string;
  filterable: boolean;
  updateable: boolean;
  nillable: boolean;
  precision: number;
  scale: number;
  /** Active and inactive picklist values (API names). */
  picklistValues: string[];
}

export interface ObjectInfo {
  name: string;
  queryable: boolean;
  replicateable: boolean;
  fields: Record<string, FieldInfo>;
}

interface RawField {
  name: string;
  type: string;
  filterable?: boolean;
  updateable?: boolean;
  nillable?: boolean;
  precision?: number;
  scale?: number;
  picklistValues?: Array<{ value: string }>;
}

/**
 * describeGlobal / describe, cached in crm_metadata for `maxAgeHours` so a routine incremental
 * sync costs no describe calls. `refresh` forces re-reading (after INVALID_FIELD, or --full).
 */
export class DescribeCache {
  readonly #store: CrmMetadataStore;
  readonly #conn: Connection;

  constructor(options: {
    db: Kysely<DB>;
    connectionId: string;
    conn: Connection;
    maxAgeHours: number;
    refresh?: boolean;
  }) {
    this.#store = new CrmMetadataStore(options);
    this.#conn = options.conn;
  }

  /** Names of the objects the org lets us query. */
  async objectNames(): Promise<Set<string>> {
    const names = await this.#cached('salesforce:describeGlobal', async () => {
      const global = await this.#conn.describeGlobal();
      return global.sobjects.filter((sobject) => sobject.queryable).map((sobject) => sobject.name);
    });
    return new Set(names as string[]);
  }

  async object(name: string): Promise<ObjectInfo> {
    return (await this.#cached(`salesforce:describe:${name}`, async () => {
      const described = await this.#conn.sobject(name).describe();
      const fields: Record<string, FieldInfo> = {};
      for (const raw of described.fields as unknown as RawField[]) {
        fields[raw.name] = {
          name: raw.name,
          type: raw.type,
          filterable: raw.filterable ?? true,
          updateable: raw.updateable ?? false,
          nillable: raw.nillable ?? true,
          precision: raw.precision ?? 0,
          scale: raw.scale ?? 0,
          picklistValues: (raw.picklistValues ?? []).map((entry) => entry.value),
        };
      }
      return {
        name: described.name,
        queryable: described.queryable,
        replicateable: described.replicateable,
        fields,
      };
    })) as ObjectInfo;
  }

  /** Forget cached metadata, e.g. after Salesforce says a field we selected does not exist. */
  async invalidate(): Promise<void> {
    this.#store.forgetAll();
  }

  /** Describe calls fail as attain errors naming what was described. */
  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.#store.cached(key, async () => {
      try {
        return await load();
      } catch (error) {
        throw toAttainError(error, `describe (${key.split(':').pop()})`);
      }
    });
  }
}
