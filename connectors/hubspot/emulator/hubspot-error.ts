/**
 * An error the emulated API answers with, in HubSpot's body shape (spec §2.5):
 * `{status:'error', message, correlationId, category, subCategory?, context?, errors?, links?}`.
 */
export class HubSpotError extends Error {
  readonly status: number;
  readonly category: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    category: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HubSpotError';
    this.status = status;
    this.category = category;
    this.extra = extra;
    this.headers = headers;
  }

  toBody(correlationId: string): Record<string, unknown> {
    return { status: 'error', message: this.message, correlationId, category: this.category, ...this.extra };
  }
}

/** 400 VALIDATION_ERROR for property values, worded as HubSpot words it. */
export function invalidProperties(
  problems: Array<{ name: string; error: string; message: string }>,
): HubSpotError {
  const detail = problems.map((problem) => ({
    isValid: false,
    message: problem.message,
    error: problem.error,
    name: problem.name,
  }));
  return new HubSpotError(
    400,
    'VALIDATION_ERROR',
    `Property values were not valid: ${JSON.stringify(detail)}`,
    {
      errors: problems.map((problem) => ({
        message: problem.message,
        code: problem.error,
        context: { propertyName: [problem.name] },
      })),
    },
  );
}

/** 404 OBJECT_NOT_FOUND for one id (two spaces after the period, as HubSpot has it). */
export function objectNotFound(id: string): HubSpotError {
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
    context: { id: [id] },
  });
}

export function validationError(message: string, extra: Record<string, unknown> = {}): HubSpotError {
  return new HubSpotError(400, 'VALIDATION_ERROR', message, extra);
}
