import { AttainError } from '../errors/attain-error.ts';

/** There is nothing to send: the kpis stage has not computed this connection up to the slot's date. */
export class MissingKpisError extends AttainError {
  constructor(connectionId: string, onOrBefore: string) {
    super(
      `no KPIs for connection "${connectionId}" as of ${onOrBefore} or earlier: run \`attain kpis\` first ` +
        '(the digest only reads rep_period_kpis)',
    );
  }
}
