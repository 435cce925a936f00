import type { FieldDef, FieldType, ObjectDef } from './field-def.ts';
import type { OrgSchema } from './org-schema.ts';

/** describeGlobal and sObject describe bodies (spec §7), rendered from the org schema. */

const SOAP_TYPE: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

export function describeGlobal(schema: OrgSchema, versionPath: string) {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: schema.objects().map((def) => objectSummary(def, versionPath)),
  };
}

export function describeSObject(schema: OrgSchema, def: ObjectDef, versionPath: string) {
  return {
    ...objectSummary(def, versionPath),
    fields: def.fields.map(describeField),
    childRelationships: schema.childRelationships(def.name).map((child) => ({
      cascadeDelete: false,
      childSObject: child.childSObject,
      deprecatedAndHidden: false,
      field: child.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: child.relationshipName,
      restrictedDelete: false,
    })),
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `${versionPath}/sobjects/${def.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    supportedScopes: [{ label: 'All', name: 'everything' }],
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    actionOverrides: [],
  };
}

function objectSummary(def: ObjectDef, versionPath: string) {
  const base = `${versionPath}/sobjects/${def.name}`;
  return {
    activateable: false,
    createable: def.createable,
    custom: def.custom,
    customSetting: false,
    deletable: def.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: true,
    mergeable: false,
    mruEnabled: false,
    name: def.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: def.updateable,
    undeletable: def.deletable,
    updateable: def.updateable,
    urls: {
      sobject: base,
      describe: `${base}/describe`,
      rowTemplate: `${base}/{ID}`,
    },
  };
}

function describeField(def: FieldDef) {
  const numeric = def.type === 'double' || def.type === 'currency' || def.type === 'percent';
  const text = SOAP_TYPE[def.type] === 'xsd:string' || def.type === 'id' || def.type === 'reference';
  return {
    aggregatable: def.type !== 'textarea',
    autoNumber: false,
    byteLength: text ? def.length * 3 : 0,
    calculated: def.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    controllerName: null,
    createable: def.createable,
    custom: def.custom,
    defaultValue: null,
    defaultValueFormula: null,
    defaultedOnCreate: def.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: def.digits,
    encrypted: false,
    externalId: def.externalId,
    extraTypeInfo: null,
    filterable: true,
    groupable: !numeric && def.type !== 'textarea' && def.type !== 'datetime',
    htmlFormatted: false,
    idLookup: def.idLookup,
    inlineHelpText: null,
    label: def.label,
    length: def.length,
    name: def.name,
    nameField: def.nameField,
    namePointing: def.type === 'reference' && def.referenceTo.length > 1,
    nillable: def.nillable,
    permissionable: def.nillable && !def.calculated && def.updateable,
    picklistValues: def.picklistValues,
    polymorphicForeignKey: def.type === 'reference' && def.referenceTo.length > 1,
    precision: def.precision,
    referenceTo: def.referenceTo,
    relationshipName: def.relationshipName,
    relationshipOrder: null,
    restrictedPicklist: def.restrictedPicklist,
    scale: def.scale,
    soapType: SOAP_TYPE[def.type],
    sortable: def.type !== 'textarea' && def.type !== 'multipicklist',
    type: def.type,
    unique: false,
    updateable: def.updateable,
  };
}
