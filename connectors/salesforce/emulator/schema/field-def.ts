/**
 * The metadata of one sObject field or object, as describe reports it (spec §7), plus builders
 * that fill in Salesforce's defaults so object definitions stay short.
 */

export type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  calculated: boolean;
  custom: boolean;
  externalId: boolean;
  idLookup: boolean;
  nameField: boolean;
  defaultedOnCreate: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** The parent's child relationship name (describe `childRelationships`), e.g. 'Opportunities'. */
  childRelationshipName: string | null;
  length: number;
  precision: number;
  scale: number;
  digits: number;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
}

/** Org features; a disabled feature removes its objects and fields from the org. */
export type Feature = 'quotes' | 'forecasting' | 'multiCurrency';

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
}

export type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32000,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
};

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return {
    name,
    label: labelFor(name),
    type,
    nillable: type !== 'boolean' && type !== 'id',
    createable: true,
    updateable: true,
    calculated: false,
    custom: name.endsWith('__c'),
    externalId: false,
    idLookup: type === 'id',
    nameField: false,
    defaultedOnCreate: type === 'boolean',
    referenceTo: [],
    relationshipName: null,
    childRelationshipName: null,
    length: DEFAULT_LENGTH[type] ?? 0,
    precision: 0,
    scale: 0,
    digits: type === 'int' ? 9 : 0,
    picklistValues: [],
    restrictedPicklist: false,
    ...options,
  };
}

/** System-maintained or derived: never written through the API. */
export function readOnly(def: FieldDef): FieldDef {
  return { ...def, createable: false, updateable: false };
}

/** Must be given on create (nillable false); Salesforce answers REQUIRED_FIELD_MISSING otherwise. */
export function required(def: FieldDef): FieldDef {
  return { ...def, nillable: false };
}

export function text(name: string, length = 255, options: FieldOptions = {}): FieldDef {
  return field(name, 'string', { length, ...options });
}

export function number(
  name: string,
  type: 'double' | 'currency' | 'percent',
  precision: number,
  scale: number,
  options: FieldOptions = {},
): FieldDef {
  return field(name, type, { precision, scale, ...options });
}

export function picklist(name: string, values: readonly string[], options: FieldOptions = {}): FieldDef {
  return field(name, 'picklist', { picklistValues: picklistValues(values), ...options });
}

export function picklistValues(values: readonly string[], defaultValue?: string): PicklistValue[] {
  return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

/** A lookup. `relationshipName` is what SOQL dots through (`Owner.Name`). */
export function reference(
  name: string,
  referenceTo: string[],
  relationshipName: string,
  options: FieldOptions = {},
): FieldDef {
  return field(name, 'reference', { referenceTo, relationshipName, ...options });
}

function labelFor(name: string): string {
  const base = name.replace(/__c$/, '').replace(/Id$/, '').replace(/_/g, ' ');
  return base.replace(/([a-z])([A-Z])/g, '$1 $2').trim() || name;
}
