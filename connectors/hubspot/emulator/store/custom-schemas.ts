import { HubSpotError, validationError } from '../hubspot-error.ts';
import { customObjectType, type ObjectTypeDef } from '../schema/object-types.ts';

/** A custom object schema (spec §3.10) as created through the schemas API. */
export interface CustomSchema {
  id: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  labels: { singular: string; plural: string };
  primaryDisplayProperty: string;
  requiredProperties: string[];
  searchableProperties: string[];
  secondaryDisplayProperties: string[];
  associatedObjects: string[];
  createdAt: string;
  updatedAt: string;
}

/** Validates a schema-create body and makes the schema (without its properties). */
export function schemaFromBody(
  body: unknown,
  portalId: number,
  number: number,
  now: string,
): { schema: CustomSchema; type: ObjectTypeDef; properties: unknown[] } {
  const input = body as Record<string, unknown> | null;
  const name = input?.name;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name))
    throw validationError('Invalid input JSON: "name" must be lower-case letters, digits and underscores');
  const labels = input!.labels as { singular?: unknown; plural?: unknown } | undefined;
  if (!labels || typeof labels.singular !== 'string' || typeof labels.plural !== 'string')
    throw validationError('Invalid input JSON: "labels" needs "singular" and "plural"');
  const properties = Array.isArray(input!.properties) ? (input!.properties as unknown[]) : [];
  const names = new Set(properties.map((property) => (property as { name?: unknown })?.name));
  const strings = (key: string) => (Array.isArray(input![key]) ? (input![key] as unknown[]).map(String) : []);
  const primary = typeof input!.primaryDisplayProperty === 'string' ? input!.primaryDisplayProperty : null;
  if (!primary || !names.has(primary))
    throw validationError("primaryDisplayProperty must name one of the schema's properties");
  const required = strings('requiredProperties');
  const missing = required.find((property) => !names.has(property));
  if (missing) throw validationError(`required property ${missing} is not defined`);
  const objectTypeId = `2-${number}`;
  const fullyQualifiedName = `p${portalId}_${name}`;
  const schema: CustomSchema = {
    id: String(number),
    objectTypeId,
    name,
    fullyQualifiedName,
    labels: { singular: labels.singular, plural: labels.plural },
    primaryDisplayProperty: primary,
    requiredProperties: required,
    searchableProperties: strings('searchableProperties'),
    secondaryDisplayProperties: strings('secondaryDisplayProperties'),
    associatedObjects: strings('associatedObjects'),
    createdAt: now,
    updatedAt: now,
  };
  return { schema, type: customObjectType(fullyQualifiedName, objectTypeId, name, primary), properties };
}

export function schemaExists(name: string): HubSpotError {
  return new HubSpotError(409, 'CONFLICT', `Object schema with name ${name} already exists.`);
}
