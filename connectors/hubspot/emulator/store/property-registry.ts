import { HubSpotError, invalidProperties, validationError } from '../hubspot-error.ts';
import {
  FIELD_TYPES,
  PROPERTY_TYPES,
  type PropertyDef,
  type PropertyGroup,
  type PropertyOption,
} from '../schema/property-def.ts';

/** A write's property values checked against their definitions: normalized values or problems. */
export interface CheckedValues {
  values: Record<string, string | null>;
  problems: Array<{ name: string; error: string; message: string }>;
}

/** Validates values of externally-listed enumerations (owners, currencies, pipelines…). */
export type ExternalCheck = (type: string, property: string, value: string) => boolean;

/**
 * Property definitions and groups per object type, and the value rules writes are held to:
 * numbers, booleans, dates and datetimes must parse; enumeration values must be options;
 * calculated and read-only properties cannot be written; unknown names are rejected.
 */
export class PropertyRegistry {
  private readonly properties = new Map<string, Map<string, PropertyDef>>();
  private readonly groups = new Map<string, Map<string, PropertyGroup>>();
  private readonly external: ExternalCheck;

  constructor(external: ExternalCheck) {
    this.external = external;
  }

  define(type: string, defs: readonly PropertyDef[], groups: readonly string[]): void {
    const known = this.properties.get(type) ?? new Map<string, PropertyDef>();
    for (const def of defs) known.set(def.name, def);
    this.properties.set(type, known);
    const knownGroups = this.groups.get(type) ?? new Map<string, PropertyGroup>();
    groups.forEach((name, displayOrder) => {
      if (!knownGroups.has(name))
        knownGroups.set(name, { name, label: labelOf(name), displayOrder, archived: false });
    });
    this.groups.set(type, knownGroups);
  }

  list(type: string): PropertyDef[] {
    return [...(this.properties.get(type)?.values() ?? [])];
  }

  get(type: string, name: string): PropertyDef | undefined {
    return this.properties.get(type)?.get(name);
  }

  listGroups(type: string): PropertyGroup[] {
    return [...(this.groups.get(type)?.values() ?? [])];
  }

  getGroup(type: string, name: string): PropertyGroup | undefined {
    return this.groups.get(type)?.get(name);
  }

  createGroup(type: string, input: unknown): PropertyGroup {
    const body = input as Partial<PropertyGroup> | null;
    if (
      !body ||
      typeof body.name !== 'string' ||
      !/^[a-z][a-z0-9_]*$/.test(body.name) ||
      typeof body.label !== 'string'
    )
      throw validationError('Invalid input JSON: a property group needs a lower-case "name" and a "label"');
    const groups = this.groups.get(type) ?? new Map<string, PropertyGroup>();
    if (groups.has(body.name))
      throw new HubSpotError(
        409,
        'OBJECT_ALREADY_EXISTS',
        `A property group named '${body.name}' already exists.`,
      );
    const group: PropertyGroup = {
      name: body.name,
      label: body.label,
      displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
      archived: false,
    };
    groups.set(group.name, group);
    this.groups.set(type, groups);
    return group;
  }

  create(type: string, input: unknown, now: string): PropertyDef {
    const body = input as Record<string, unknown> | null;
    const name = body?.name;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name))
      throw validationError('Invalid input JSON: "name" must be lower-case letters, digits and underscores');
    if (this.get(type, name))
      throw new HubSpotError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`);
    const def = this.definitionOf(type, name, body!, now);
    const known = this.properties.get(type) ?? new Map<string, PropertyDef>();
    known.set(name, def);
    this.properties.set(type, known);
    return def;
  }

  update(type: string, name: string, input: unknown, now: string): PropertyDef {
    const current = this.get(type, name);
    if (!current) throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find property ${name}`);
    if (current.hubspotDefined)
      throw validationError(`${name} is a HubSpot defined property and can't be modified`);
    const merged = this.definitionOf(
      type,
      name,
      { ...current, ...(input as Record<string, unknown>) },
      current.createdAt,
    );
    const updated = { ...merged, updatedAt: now };
    this.properties.get(type)!.set(name, updated);
    return updated;
  }

  /** Checks and normalizes the values of one write. */
  check(
    type: string,
    values: Record<string, unknown>,
    options: { allowReadOnly?: boolean } = {},
  ): CheckedValues {
    const checked: CheckedValues = { values: {}, problems: [] };
    for (const [name, raw] of Object.entries(values)) {
      const def = this.get(type, name);
      if (!def) {
        checked.problems.push({
          name,
          error: 'PROPERTY_DOESNT_EXIST',
          message: `Property "${name}" does not exist`,
        });
        continue;
      }
      if (def.readOnlyValue && !options.allowReadOnly) {
        checked.problems.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `${name} is a read only property; its value cannot be set.`,
        });
        continue;
      }
      const result = this.normalize(type, def, raw);
      if ('error' in result) checked.problems.push({ name, ...result });
      else checked.values[name] = result.value;
    }
    return checked;
  }

  /** check(), throwing HubSpot's 400 for any problem. */
  require(
    type: string,
    values: Record<string, unknown>,
    options: { allowReadOnly?: boolean } = {},
  ): Record<string, string | null> {
    const checked = this.check(type, values, options);
    if (checked.problems.length > 0) throw invalidProperties(checked.problems);
    return checked.values;
  }

  private normalize(
    type: string,
    def: PropertyDef,
    raw: unknown,
  ): { value: string | null } | { error: string; message: string } {
    if (raw === null || raw === '') return { value: null };
    const text =
      typeof raw === 'string'
        ? raw.trim()
        : typeof raw === 'number' || typeof raw === 'boolean'
          ? String(raw)
          : null;
    const bad = (error: string, what: string) => ({
      error,
      message: `${JSON.stringify(raw)} was not a valid ${what}.`,
    });
    if (text === null) return bad('INVALID_TYPE', def.type);
    switch (def.type) {
      case 'number':
        return /^-?\d+(\.\d+)?$/.test(text) ? { value: text } : bad('INVALID_DECIMAL', 'number');
      case 'bool':
        return /^(true|false)$/i.test(text)
          ? { value: text.toLowerCase() }
          : bad('INVALID_BOOLEAN', 'boolean');
      case 'date': {
        const day = /^\d+$/.test(text)
          ? epochDay(Number(text))
          : /^\d{4}-\d{2}-\d{2}$/.test(text)
            ? text
            : null;
        return day && !Number.isNaN(Date.parse(`${day}T00:00:00Z`))
          ? { value: day }
          : bad('INVALID_DATE', 'date');
      }
      case 'datetime': {
        const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        return Number.isFinite(ms) ? { value: new Date(ms).toISOString() } : bad('INVALID_DATE', 'datetime');
      }
      case 'enumeration': {
        const parts = def.fieldType === 'checkbox' ? text.split(';').filter(Boolean) : [text];
        const valid = (part: string) =>
          def.externalOptions
            ? this.external(type, def.name, part)
            : def.options.some((o) => o.value === part);
        const invalid = parts.find((part) => !valid(part));
        if (invalid !== undefined)
          return {
            error: 'INVALID_OPTION',
            message: `${JSON.stringify(invalid)} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]`,
          };
        return { value: parts.join(';') };
      }
      default:
        return { value: text };
    }
  }

  private definitionOf(
    type: string,
    name: string,
    body: Record<string, unknown>,
    createdAt: string,
  ): PropertyDef {
    const propertyType = body.type as PropertyDef['type'];
    if (!PROPERTY_TYPES.includes(propertyType))
      throw validationError(`Invalid input JSON: "type" must be one of ${PROPERTY_TYPES.join(', ')}`);
    const fieldType = String(body.fieldType ?? '');
    if (!(FIELD_TYPES as readonly string[]).includes(fieldType))
      throw validationError(`Invalid input JSON: "fieldType" must be one of ${FIELD_TYPES.join(', ')}`);
    const groupName = String(body.groupName ?? '');
    if (!this.getGroup(type, groupName))
      throw validationError(`Property group ${groupName} does not exist.`, {
        subCategory: 'PropertyValidationError.GROUP_DOES_NOT_EXIST',
      });
    const rawOptions = Array.isArray(body.options) ? (body.options as Array<Partial<PropertyOption>>) : [];
    if (propertyType === 'enumeration' && rawOptions.length === 0 && body.externalOptions !== true)
      throw validationError('Invalid input JSON: an enumeration property needs options');
    return {
      name,
      label: typeof body.label === 'string' ? body.label : name,
      type: propertyType,
      fieldType,
      groupName,
      description: typeof body.description === 'string' ? body.description : '',
      options: rawOptions.map((option, index) => ({
        label: String(option.label ?? option.value ?? ''),
        value: String(option.value ?? ''),
        displayOrder: typeof option.displayOrder === 'number' ? option.displayOrder : index,
        hidden: option.hidden === true,
      })),
      externalOptions: body.externalOptions === true,
      calculated: false,
      readOnlyValue: false,
      hasUniqueValue: body.hasUniqueValue === true,
      hubspotDefined: false,
      displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
      createdAt,
      updatedAt: createdAt,
    };
  }
}

function epochDay(ms: number): string | null {
  if (!Number.isFinite(ms) || ms % 86_400_000 !== 0) return null;
  return new Date(ms).toISOString().slice(0, 10);
}

function labelOf(name: string): string {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
