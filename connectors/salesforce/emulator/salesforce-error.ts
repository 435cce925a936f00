/**
 * An error Salesforce reports as `HTTP status` + `[{"message","errorCode","fields"?}]`. Handlers
 * throw it; the server renders it in the REST shape (or the Bulk 2.0 shape, which has no fields).
 */
export class SalesforceError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.name = 'SalesforceError';
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  toBody(): Array<{ message: string; errorCode: string; fields?: string[] }> {
    return [
      this.fields === undefined
        ? { message: this.message, errorCode: this.errorCode }
        : { message: this.message, errorCode: this.errorCode, fields: this.fields },
    ];
  }
}
