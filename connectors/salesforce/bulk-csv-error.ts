/** A Bulk 2.0 results page that is not the CSV Salesforce writes (see bulk-csv.ts). */
export class BulkCsvError extends Error {
  override name = 'BulkCsvError';
}
