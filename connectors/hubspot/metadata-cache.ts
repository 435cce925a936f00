import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { CrmMetadataStore } from '../../src/extract/crm-metadata-store.ts';
import { classifyHubSpotError, toAttainError } from './classify-error.ts';
import type { HubSpotApi } from './hubspot-api.ts';

/** A property definition as attain keeps it (crm_metadata `hubspot:properties:<type>`). */
export interface PropertyInfo {
  type: string;
  fieldType: string;
  calculated: boolean;
  readOnly: boolean;
  unique: boolean;
  /** Enumeration option value → label (normalize reads labels from here). */
  options: Record<string, string>;
}

/** One object type's definitions, or why the portal does not let attain read it. */
export type ObjectProperties =
  { available: true; properties: Record<string, PropertyInfo> } | { available: false; reason: string };

/** A custom object schema lookup: its type id, absent (404), or not allowed (403: no custom objects). */
export type SchemaLookup =
  | { state: 'found'; objectTypeId: string; fullyQualifiedName: string }
  | { state: 'absent' }
  | { state: 'unavailable'; reason: string };

/**
 * Portal metadata attain reads often and which changes rarely — property definitions per object
 * type, custom object schemas — cached in crm_metadata so a routine run spends its calls on data.
 * Entries older than the configured age (or all, when refreshing) are fetched again.
 */
export class MetadataCache {
  readonly #store: CrmMetadataStore;
  readonly #api: HubSpotApi;

  constructor(options: {
    db: Kysely<DB>;
    connectionId: string;
    api: HubSpotApi;
    maxAgeHours: number;
    refresh: boolean;
  }) {
    this.#store = new CrmMetadataStore(options);
    this.#api = options.api;
  }

  /** Property definitions of an object type (a 403 or 404 makes it unavailable, with the reason). */
  properties(type: string): Promise<ObjectProperties> {
    return this.#store.cached(`hubspot:properties:${type}`, async () => {
      try {
        const response = await this.#api.call(`properties of ${type}`, () =>
          this.#api.apis.properties.getAll(type),
        );
        const properties: Record<string, PropertyInfo> = {};
        for (const property of response.results) {
          properties[property.name] = {
            type: property.type,
            fieldType: property.fieldType,
            calculated: property.calculated === true,
            readOnly: property.modificationMetadata?.readOnlyValue === true || property.calculated === true,
            unique: property.hasUniqueValue === true,
            options: Object.fromEntries(
              (property.options ?? []).map((option) => [option.value, option.label]),
            ),
          };
        }
        return { available: true, properties };
      } catch (error) {
        const { kind, message } = classifyHubSpotError(causeOf(error));
        if (kind === 'missing_scopes')
          return { available: false, reason: `the app may not read ${type}: ${message}` };
        if (kind === 'not_found') return { available: false, reason: `the portal has no ${type} object` };
        throw toAttainError(error, `properties of ${type}`);
      }
    });
  }

  /** A custom object schema by name. */
  schema(name: string): Promise<SchemaLookup> {
    return this.#store.cached(`hubspot:schema:${name}`, async (): Promise<SchemaLookup> => {
      try {
        const schema = await this.#api.call(`schema ${name}`, () => this.#api.apis.schemas.getById(name));
        if (!schema.objectTypeId) throw new Error(`schema ${name} came without an objectTypeId`);
        return {
          state: 'found',
          objectTypeId: schema.objectTypeId,
          fullyQualifiedName: schema.fullyQualifiedName ?? schema.name,
        };
      } catch (error) {
        const { kind, message } = classifyHubSpotError(causeOf(error));
        if (kind === 'not_found') return { state: 'absent' };
        if (kind === 'missing_scopes') return { state: 'unavailable', reason: message };
        throw toAttainError(error, `schema ${name}`);
      }
    });
  }

  /** The next read of `properties(type)` or `schema(name)` goes to the portal (after changing them). */
  forgetProperties(type: string): void {
    this.#store.forget(`hubspot:properties:${type}`);
  }

  forgetSchema(name: string): void {
    this.#store.forget(`hubspot:schema:${name}`);
  }
}

/** api.call wraps failures in attain errors; the client's ApiException is their cause. */
export function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}
