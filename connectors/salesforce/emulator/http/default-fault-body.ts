/** What Salesforce answers with a given status when the fault names no body. */
export function defaultFaultBody(status: number, oauth: boolean): unknown {
  if (oauth) {
    return status >= 500
      ? { error: 'unknown_error', error_description: 'retry your request' }
      : { error: 'invalid_grant', error_description: 'authentication failure' };
  }
  const [errorCode, message] =
    {
      401: ['INVALID_SESSION_ID', 'Session expired or invalid'],
      403: ['REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'],
      404: ['NOT_FOUND', 'The requested resource does not exist'],
      429: ['REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'],
      503: ['SERVER_UNAVAILABLE', 'Server temporarily unavailable. Please try again later.'],
    }[status] ??
    (status >= 500
      ? [
          'UNKNOWN_EXCEPTION',
          'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)',
        ]
      : ['BAD_REQUEST', `HTTP ${status}`]);
  return [{ message, errorCode }];
}
