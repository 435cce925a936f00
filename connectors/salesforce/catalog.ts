/**
 * The Salesforce objects attain extracts, in extraction order (reference data first), and the
 * fields it keeps: what the KPIs and the reporting tree need, nothing personal beyond reps' own
 * names and emails. Fields an org lacks are skipped (describe decides); configured custom fields
 * are added and must exist.
 */

export type SalesforceFeature = 'quotes' | 'forecasting' | 'multiCurrency';

export interface CatalogObject {
  name: string;
  fields: readonly string[];
  /** Absent unless the org has this feature; skipped with a note, never an error. */
  feature?: SalesforceFeature;
  /** Extra SOQL condition (also applied when reconciling ids). */
  where?: string;
}

const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'] as const;

export const SALESFORCE_CATALOG: readonly CatalogObject[] = [
  {
    name: 'CurrencyType',
    feature: 'multiCurrency',
    fields: [...SYSTEM_FIELDS, 'IsoCode', 'ConversionRate', 'IsCorporate', 'IsActive', 'DecimalPlaces'],
  },
  {
    name: 'DatedConversionRate',
    feature: 'multiCurrency',
    fields: [...SYSTEM_FIELDS, 'IsoCode', 'StartDate', 'NextStartDate', 'ConversionRate'],
  },
  {
    name: 'User',
    fields: [
      ...SYSTEM_FIELDS,
      'FirstName',
      'LastName',
      'Name',
      'Email',
      'Username',
      'Title',
      'ManagerId',
      'IsActive',
      'UserType',
    ],
  },
  {
    name: 'Period',
    feature: 'forecasting',
    fields: [
      ...SYSTEM_FIELDS,
      'Type',
      'StartDate',
      'EndDate',
      'Number',
      'FullyQualifiedLabel',
      'IsForecastPeriod',
    ],
  },
  {
    name: 'ForecastingQuota',
    feature: 'forecasting',
    fields: [
      ...SYSTEM_FIELDS,
      'QuotaOwnerId',
      'StartDate',
      'PeriodId',
      'QuotaAmount',
      'QuotaQuantity',
      'IsAmount',
      'IsQuantity',
      'CurrencyIsoCode',
      'ForecastingTypeId',
      'ProductFamily',
    ],
  },
  {
    name: 'Lead',
    fields: [
      ...SYSTEM_FIELDS,
      'OwnerId',
      'Status',
      'LeadSource',
      'IsConverted',
      'ConvertedDate',
      'ConvertedOpportunityId',
      'MasterRecordId',
    ],
  },
  {
    name: 'Opportunity',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'OwnerId',
      'StageName',
      'IsClosed',
      'IsWon',
      'Amount',
      'CurrencyIsoCode',
      'CloseDate',
      'Probability',
      'ForecastCategory',
      'ForecastCategoryName',
      'Type',
      'LeadSource',
      'HasOpportunityLineItem',
    ],
  },
  {
    name: 'OpportunityLineItem',
    fields: [
      ...SYSTEM_FIELDS,
      'OpportunityId',
      'Product2Id',
      'ProductCode',
      'Name',
      'Quantity',
      'UnitPrice',
      'ListPrice',
      'Discount',
      'Subtotal',
      'TotalPrice',
      'CurrencyIsoCode',
    ],
  },
  {
    name: 'Quote',
    feature: 'quotes',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'OpportunityId',
      'Status',
      'IsSyncing',
      'ExpirationDate',
      'Subtotal',
      'TotalPrice',
      'Discount',
      'GrandTotal',
      'LineItemCount',
      'CurrencyIsoCode',
    ],
  },
  {
    name: 'QuoteLineItem',
    feature: 'quotes',
    fields: [
      ...SYSTEM_FIELDS,
      'QuoteId',
      'Quantity',
      'UnitPrice',
      'ListPrice',
      'Discount',
      'Subtotal',
      'TotalPrice',
      'CurrencyIsoCode',
    ],
  },
  {
    name: 'Task',
    // Only calls and emails feed KPIs; TaskSubtype is set on create and never changes.
    where: "TaskSubtype IN ('Call', 'Email')",
    fields: [
      ...SYSTEM_FIELDS,
      'OwnerId',
      'TaskSubtype',
      'Type',
      'Status',
      'IsClosed',
      'ActivityDate',
      'CompletedDateTime',
      'CallDisposition',
      'CallType',
      'CallDurationInSeconds',
      'WhoId',
      'WhatId',
      'IsArchived',
    ],
  },
  {
    name: 'Event',
    fields: [
      ...SYSTEM_FIELDS,
      'OwnerId',
      'StartDateTime',
      'EndDateTime',
      'ActivityDateTime',
      'ActivityDate',
      'DurationInMinutes',
      'IsAllDayEvent',
      'IsChild',
      'IsGroupEvent',
      'IsRecurrence',
      'WhoId',
      'WhatId',
      'IsArchived',
    ],
  },
];

/** Objects whose presence tells whether the org has a feature. */
export const FEATURE_MARKERS: Record<SalesforceFeature, string> = {
  quotes: 'Quote',
  forecasting: 'ForecastingQuota',
  multiCurrency: 'CurrencyType',
};

export function catalogObject(name: string): CatalogObject {
  const found = SALESFORCE_CATALOG.find((object) => object.name === name);
  if (!found) throw new Error(`${name} is not an object attain extracts from Salesforce`);
  return found;
}
