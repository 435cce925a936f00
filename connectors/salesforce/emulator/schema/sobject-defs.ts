import { STAGES } from '../../../world/types.ts';
import {
  field,
  number,
  picklist,
  picklistValues,
  readOnly,
  reference,
  required,
  text,
  type Feature,
  type FieldDef,
  type ObjectDef,
} from './field-def.ts';
import {
  ACTIVITY_TYPES,
  CALL_TYPES,
  FORECAST_CATEGORY,
  GROUP_TYPES,
  LEAD_SOURCE,
  LEAD_STATUSES,
  MEETING_OUTCOME,
  OPPORTUNITY_TYPES,
  PACE_STATUSES,
  PERIOD_TYPES,
  QUOTE_STATUSES,
  TASK_STATUSES,
  TASK_SUBTYPES,
  USER_TYPES,
} from './picklists.ts';

/**
 * The sObjects of the emulated org (spec §9), shaped by its feature switches: Quote and
 * QuoteLineItem need `quotes`; ForecastingQuota, ForecastingType and Period need `forecasting`;
 * CurrencyType, DatedConversionRate and every CurrencyIsoCode field need `multiCurrency`.
 */

export type OrgFeatures = Record<Feature, boolean>;

interface ObjectSpec {
  name: string;
  labelPlural: string;
  keyPrefix: string;
  feature?: Feature;
  /** Metadata-like objects (Organization, Period, stages…) cannot be written through the API. */
  writable?: boolean;
  fields: FieldDef[];
}

const STAGE_NAMES = STAGES.map((stage) => stage.salesforceName);
const FORECAST_API = Object.values(FORECAST_CATEGORY).map((c) => c.api);
const FORECAST_NAMES = Object.values(FORECAST_CATEGORY).map((c) => c.name);
const CURRENCY_CODES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'];

export function buildObjectDefs(features: OrgFeatures): ObjectDef[] {
  const specs = objectSpecs(features).filter((spec) => !spec.feature || features[spec.feature]);
  const present = new Set(specs.map((spec) => spec.name));
  return specs.map((spec) => ({
    name: spec.name,
    label: labelOf(spec.name),
    labelPlural: spec.labelPlural,
    keyPrefix: spec.keyPrefix,
    custom: false,
    createable: spec.writable !== false,
    updateable: spec.writable !== false,
    deletable: spec.writable !== false,
    fields: [...systemFields(), ...spec.fields]
      .map((def) =>
        def.type === 'reference'
          ? { ...def, referenceTo: def.referenceTo.filter((t) => present.has(t)) }
          : def,
      )
      .filter((def) => def.type !== 'reference' || def.referenceTo.length > 0)
      .map((def) => (spec.writable === false ? readOnly(def) : def)),
  }));
}

function objectSpecs(features: OrgFeatures): ObjectSpec[] {
  const currency = features.multiCurrency
    ? [picklist('CurrencyIsoCode', CURRENCY_CODES, { label: 'Currency ISO Code', defaultedOnCreate: true })]
    : [];
  const currencyReadOnly = currency.map(readOnly);
  const activityParties = [
    reference('OwnerId', ['User'], 'Owner', { nillable: false, defaultedOnCreate: true }),
    reference('WhoId', ['Lead'], 'Who'),
    reference('WhatId', ['Opportunity', 'Quote'], 'What'),
  ];
  const writebackFields = [
    number('Attain_Quota_Attainment__c', 'percent', 16, 2, { label: 'Quota Attainment' }),
    number('Attain_Bookings__c', 'currency', 16, 2, { label: 'Bookings' }),
    number('Attain_Quota__c', 'currency', 16, 2, { label: 'Quota' }),
    picklist('Attain_Pace_Status__c', PACE_STATUSES, { label: 'Pace Status', restrictedPicklist: true }),
    number('Attain_Win_Rate__c', 'percent', 16, 2, { label: 'Win Rate' }),
    number('Attain_Avg_Cycle_Days__c', 'double', 16, 1, { label: 'Avg Cycle Days' }),
    number('Attain_Avg_Discount__c', 'percent', 16, 2, { label: 'Avg Discount' }),
    number('Attain_Pipeline_Coverage__c', 'double', 16, 2, { label: 'Pipeline Coverage' }),
    field('Attain_KPIs_As_Of__c', 'datetime', { label: 'KPIs As Of' }),
  ];
  return [
    {
      name: 'Organization',
      labelPlural: 'Organizations',
      keyPrefix: '00D',
      writable: false,
      fields: [
        text('Name', 80, { nameField: true }),
        text('TimeZoneSidKey', 40),
        field('FiscalYearStartMonth', 'int'),
        field('UsesStartDateAsFiscalYearName', 'boolean'),
        text('DefaultLocaleSidKey', 40),
        text('LanguageLocaleKey', 40),
        text('OrganizationType', 40),
        field('IsSandbox', 'boolean'),
      ],
    },
    {
      name: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      fields: [
        required(text('Username', 80, { idLookup: true })),
        required(text('LastName', 80)),
        text('FirstName', 40),
        readOnly(text('Name', 121, { nameField: true })),
        required(field('Email', 'email', { length: 128 })),
        text('Title', 80),
        text('Department', 80),
        reference('ManagerId', ['User'], 'Manager', { childRelationshipName: 'ManagedUsers' }),
        field('IsActive', 'boolean'),
        readOnly(picklist('UserType', USER_TYPES)),
        required(text('TimeZoneSidKey', 40, { defaultedOnCreate: true })),
        ...writebackFields,
      ],
    },
    {
      name: 'Group',
      labelPlural: 'Groups',
      keyPrefix: '00G',
      fields: [
        required(text('Name', 40, { nameField: true })),
        text('DeveloperName', 80),
        required(picklist('Type', GROUP_TYPES, { restrictedPicklist: true })),
        field('Email', 'email'),
      ],
    },
    {
      name: 'Lead',
      labelPlural: 'Leads',
      keyPrefix: '00Q',
      fields: [
        text('FirstName', 40),
        required(text('LastName', 80)),
        readOnly(text('Name', 121, { nameField: true })),
        required(text('Company', 255)),
        field('Email', 'email'),
        reference('OwnerId', ['Group', 'User'], 'Owner', { nillable: false, defaultedOnCreate: true }),
        required(
          field('Status', 'picklist', {
            picklistValues: picklistValues(
              LEAD_STATUSES.map((s) => s.value),
              LEAD_STATUSES.find((s) => s.isDefault)?.value,
            ),
            defaultedOnCreate: true,
          }),
        ),
        picklist('LeadSource', Object.values(LEAD_SOURCE)),
        readOnly(field('IsConverted', 'boolean')),
        readOnly(field('ConvertedDate', 'date')),
        readOnly(
          reference('ConvertedOpportunityId', ['Opportunity'], 'ConvertedOpportunity', {
            childRelationshipName: null,
          }),
        ),
        readOnly(reference('MasterRecordId', ['Lead'], 'MasterRecord')),
      ],
    },
    {
      name: 'Task',
      labelPlural: 'Tasks',
      keyPrefix: '00T',
      fields: [
        field('Subject', 'combobox', {
          picklistValues: picklistValues(['Call', 'Send Letter', 'Send Quote', 'Other']),
        }),
        picklist('TaskSubtype', TASK_SUBTYPES, { restrictedPicklist: true, updateable: false }),
        picklist('Type', ACTIVITY_TYPES),
        required(picklist('Status', TASK_STATUSES, { defaultedOnCreate: true })),
        required(picklist('Priority', ['High', 'Normal', 'Low'], { defaultedOnCreate: true })),
        readOnly(field('IsClosed', 'boolean')),
        field('ActivityDate', 'date'),
        readOnly(field('CompletedDateTime', 'datetime')),
        text('CallDisposition', 255),
        picklist('CallType', CALL_TYPES),
        field('CallDurationInSeconds', 'int'),
        ...activityParties,
        readOnly(field('IsArchived', 'boolean')),
      ],
    },
    {
      name: 'Event',
      labelPlural: 'Events',
      keyPrefix: '00U',
      fields: [
        field('Subject', 'combobox', {
          picklistValues: picklistValues(['Call', 'Email', 'Meeting', 'Send Letter/Quote', 'Other']),
        }),
        field('StartDateTime', 'datetime'),
        field('EndDateTime', 'datetime'),
        field('ActivityDateTime', 'datetime'),
        field('ActivityDate', 'date'),
        field('DurationInMinutes', 'int'),
        field('IsAllDayEvent', 'boolean'),
        readOnly(picklist('EventSubtype', ['Event'])),
        picklist('Type', ACTIVITY_TYPES),
        ...activityParties,
        readOnly(field('IsChild', 'boolean')),
        readOnly(field('IsGroupEvent', 'boolean')),
        picklist('Meeting_Outcome__c', Object.values(MEETING_OUTCOME), {
          label: 'Meeting Outcome',
          restrictedPicklist: true,
        }),
        readOnly(field('IsArchived', 'boolean')),
      ],
    },
    {
      name: 'Opportunity',
      labelPlural: 'Opportunities',
      keyPrefix: '006',
      fields: [
        required(text('Name', 120, { nameField: true })),
        required(picklist('StageName', STAGE_NAMES)),
        readOnly(field('IsClosed', 'boolean')),
        readOnly(field('IsWon', 'boolean')),
        number('Amount', 'currency', 18, 2),
        required(field('CloseDate', 'date')),
        number('Probability', 'percent', 3, 0, { defaultedOnCreate: true }),
        readOnly(picklist('ForecastCategory', FORECAST_API)),
        required(picklist('ForecastCategoryName', FORECAST_NAMES, { defaultedOnCreate: true })),
        readOnly(number('ExpectedRevenue', 'currency', 18, 2, { calculated: true })),
        picklist('Type', OPPORTUNITY_TYPES),
        picklist('LeadSource', Object.values(LEAD_SOURCE)),
        reference('OwnerId', ['User'], 'Owner', {
          nillable: false,
          defaultedOnCreate: true,
          childRelationshipName: 'Opportunities',
        }),
        readOnly(field('HasOpportunityLineItem', 'boolean')),
        ...currency,
      ],
    },
    {
      name: 'OpportunityLineItem',
      labelPlural: 'Opportunity Product',
      keyPrefix: '00k',
      fields: [
        required(
          reference('OpportunityId', ['Opportunity'], 'Opportunity', {
            updateable: false,
            childRelationshipName: 'OpportunityLineItems',
          }),
        ),
        readOnly(text('Name', 376, { nameField: true })),
        readOnly(text('ProductCode', 255)),
        required(number('Quantity', 'double', 12, 2)),
        number('UnitPrice', 'currency', 18, 2),
        readOnly(number('ListPrice', 'currency', 18, 2)),
        number('Discount', 'percent', 18, 2),
        readOnly(number('Subtotal', 'currency', 18, 2)),
        number('TotalPrice', 'currency', 18, 2),
        ...currencyReadOnly,
      ],
    },
    {
      name: 'Quote',
      labelPlural: 'Quotes',
      keyPrefix: '0Q0',
      feature: 'quotes',
      fields: [
        required(text('Name', 255, { nameField: true })),
        required(
          reference('OpportunityId', ['Opportunity'], 'Opportunity', {
            updateable: false,
            childRelationshipName: 'Quotes',
          }),
        ),
        picklist('Status', QUOTE_STATUSES, { defaultedOnCreate: true }),
        readOnly(field('IsSyncing', 'boolean')),
        field('ExpirationDate', 'date'),
        readOnly(number('Subtotal', 'currency', 18, 2)),
        readOnly(number('TotalPrice', 'currency', 18, 2)),
        readOnly(number('Discount', 'percent', 18, 2)),
        readOnly(number('GrandTotal', 'currency', 18, 2)),
        number('Tax', 'currency', 18, 2),
        number('ShippingHandling', 'currency', 18, 2),
        readOnly(field('LineItemCount', 'int')),
        ...currency,
      ],
    },
    {
      name: 'QuoteLineItem',
      labelPlural: 'Quote Line Items',
      keyPrefix: '0QL',
      feature: 'quotes',
      fields: [
        required(
          reference('QuoteId', ['Quote'], 'Quote', {
            updateable: false,
            childRelationshipName: 'QuoteLineItems',
          }),
        ),
        required(number('Quantity', 'double', 12, 2)),
        required(number('UnitPrice', 'currency', 18, 2)),
        readOnly(number('ListPrice', 'currency', 18, 2)),
        number('Discount', 'percent', 18, 2),
        readOnly(number('Subtotal', 'currency', 18, 2)),
        readOnly(number('TotalPrice', 'currency', 18, 2)),
        ...currencyReadOnly,
      ],
    },
    {
      name: 'ForecastingType',
      labelPlural: 'Forecasting Types',
      keyPrefix: '0Db',
      feature: 'forecasting',
      writable: false,
      fields: [
        text('DeveloperName', 80),
        text('MasterLabel', 80, { nameField: true }),
        field('IsAmount', 'boolean'),
        field('IsQuantity', 'boolean'),
        field('IsActive', 'boolean'),
      ],
    },
    {
      name: 'Period',
      labelPlural: 'Periods',
      keyPrefix: '026',
      feature: 'forecasting',
      writable: false,
      fields: [
        picklist('Type', PERIOD_TYPES),
        field('StartDate', 'date'),
        field('EndDate', 'date'),
        field('Number', 'int'),
        text('FullyQualifiedLabel', 255),
        text('PeriodLabel', 255),
        text('QuarterLabel', 255),
        field('IsForecastPeriod', 'boolean'),
      ],
    },
    {
      name: 'ForecastingQuota',
      labelPlural: 'Forecasting Quotas',
      keyPrefix: '0J9',
      feature: 'forecasting',
      fields: [
        required(reference('QuotaOwnerId', ['User'], 'QuotaOwner')),
        required(field('StartDate', 'date')),
        readOnly(reference('PeriodId', ['Period'], 'Period')),
        number('QuotaAmount', 'currency', 18, 2),
        number('QuotaQuantity', 'double', 18, 2),
        field('IsAmount', 'boolean'),
        field('IsQuantity', 'boolean'),
        required(reference('ForecastingTypeId', ['ForecastingType'], 'ForecastingType')),
        ...currency,
      ],
    },
    {
      name: 'CurrencyType',
      labelPlural: 'Currencies',
      keyPrefix: '02c',
      feature: 'multiCurrency',
      writable: false,
      fields: [
        picklist('IsoCode', CURRENCY_CODES),
        number('ConversionRate', 'double', 18, 6),
        field('DecimalPlaces', 'int'),
        field('IsActive', 'boolean'),
        field('IsCorporate', 'boolean'),
      ],
    },
    {
      name: 'DatedConversionRate',
      labelPlural: 'Dated Exchange Rates',
      keyPrefix: '04w',
      feature: 'multiCurrency',
      writable: false,
      fields: [
        picklist('IsoCode', CURRENCY_CODES),
        field('StartDate', 'date'),
        field('NextStartDate', 'date'),
        number('ConversionRate', 'double', 18, 6),
      ],
    },
    {
      name: 'OpportunityStage',
      labelPlural: 'Opportunity Stages',
      keyPrefix: '01J',
      writable: false,
      fields: [
        text('MasterLabel', 255, { nameField: true }),
        text('ApiName', 255),
        field('IsActive', 'boolean'),
        field('SortOrder', 'int'),
        field('IsClosed', 'boolean'),
        field('IsWon', 'boolean'),
        picklist('ForecastCategory', FORECAST_API),
        picklist('ForecastCategoryName', FORECAST_NAMES),
        number('DefaultProbability', 'percent', 3, 0),
      ],
    },
    {
      name: 'LeadStatus',
      labelPlural: 'Lead Status Values',
      keyPrefix: '01J',
      writable: false,
      fields: [
        text('MasterLabel', 255, { nameField: true }),
        text('ApiName', 255),
        field('SortOrder', 'int'),
        field('IsDefault', 'boolean'),
        field('IsConverted', 'boolean'),
      ],
    },
  ];
}

function systemFields(): FieldDef[] {
  return [
    readOnly(field('Id', 'id', { label: 'Record ID', defaultedOnCreate: true })),
    readOnly(field('IsDeleted', 'boolean', { label: 'Deleted' })),
    readOnly(field('CreatedDate', 'datetime', { nillable: false, defaultedOnCreate: true })),
    readOnly(reference('CreatedById', ['User'], 'CreatedBy', { nillable: false, defaultedOnCreate: true })),
    readOnly(field('LastModifiedDate', 'datetime', { nillable: false, defaultedOnCreate: true })),
    readOnly(
      reference('LastModifiedById', ['User'], 'LastModifiedBy', { nillable: false, defaultedOnCreate: true }),
    ),
    readOnly(field('SystemModstamp', 'datetime', { nillable: false, defaultedOnCreate: true })),
  ];
}

function labelOf(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2');
}
