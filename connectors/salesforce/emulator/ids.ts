/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 more base-62 characters,
 * and a 3-character suffix that makes the id case-insensitively unique (spec §2): for each
 * 5-character chunk of the 15-character id, bit i is set when character i is upper case, and the
 * 5-bit value picks a character of SUFFIX_ALPHABET.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Characters 4–5 of every id this emulator issues; real ids carry a pod/instance marker here. */
const POD = '5g';
const SERIAL_LENGTH = 10;

export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** The 18-character form of a 15- or 18-character id; null when `id` is not shaped like one. */
export function toCaseSafeId(id: string): string | null {
  if (!/^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/.test(id)) return null;
  const id15 = id.slice(0, 15);
  const full = id15 + caseSafeSuffix(id15);
  return id.length === 18 && id.toUpperCase() !== full.toUpperCase() ? null : full;
}

/** The `serial`-th id (1-based) of the object with key prefix `prefix`. */
export function salesforceId(prefix: string, serial: number): string {
  let digits = '';
  let n = serial;
  do {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  const id15 = prefix + POD + digits.padStart(SERIAL_LENGTH, '0');
  return id15 + caseSafeSuffix(id15);
}

/** Hands out consecutive ids per key prefix; the store continues where the loaded data stopped. */
export class IdAllocator {
  private readonly next = new Map<string, number>();

  allocate(prefix: string): string {
    const serial = this.next.get(prefix) ?? 1;
    this.next.set(prefix, serial + 1);
    return salesforceId(prefix, serial);
  }

  /** Makes sure later allocations never collide with an id that already exists. */
  reserve(id: string): void {
    const prefix = id.slice(0, 3);
    const serial = parseSerial(id);
    if (serial !== null && serial >= (this.next.get(prefix) ?? 1)) this.next.set(prefix, serial + 1);
  }
}

function parseSerial(id: string): number | null {
  if (id.slice(3, 5) !== POD) return null;
  let n = 0;
  for (const c of id.slice(5, 15)) n = n * 62 + BASE62.indexOf(c);
  return n;
}
