import type { ObjectTypeDef } from '../schema/object-types.ts';
import type { HubSpotRecord } from './hubspot-record.ts';

/**
 * The records of one object type, by id, with the ids kept in ascending numeric order: list
 * paging walks that order with an `after` cursor that is the next id, so it stays stable while
 * records are inserted (new ids are always larger) or archived.
 */
export class ObjectTable {
  readonly type: ObjectTypeDef;
  private readonly records = new Map<string, HubSpotRecord>();
  private order: number[] = [];
  private sorted = true;

  constructor(type: ObjectTypeDef) {
    this.type = type;
  }

  get size(): number {
    return this.records.size;
  }

  get(id: string): HubSpotRecord | undefined {
    return this.records.get(id);
  }

  set(record: HubSpotRecord): void {
    if (!this.records.has(record.id)) {
      const id = Number(record.id);
      const last = this.order[this.order.length - 1];
      if (last !== undefined && id < last) this.sorted = false;
      this.order.push(id);
    }
    this.records.set(record.id, record);
  }

  delete(id: string): boolean {
    if (!this.records.delete(id)) return false;
    this.order = this.ids().filter((known) => known !== Number(id));
    return true;
  }

  values(): IterableIterator<HubSpotRecord> {
    return this.records.values();
  }

  /** Ids in ascending numeric order. */
  ids(): number[] {
    if (!this.sorted) {
      this.order.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.order;
  }

  /**
   * Up to `limit` records from id `after` on (inclusive), archived or live as asked, and the id
   * the next page starts at (null on the last page).
   */
  page(after: number, limit: number, archived: boolean): { records: HubSpotRecord[]; next: number | null } {
    const ids = this.ids();
    let index = lowerBound(ids, after);
    const records: HubSpotRecord[] = [];
    for (; index < ids.length; index++) {
      const record = this.records.get(String(ids[index]));
      if (!record || record.archived !== archived) continue;
      if (records.length === limit) return { records, next: ids[index]! };
      records.push(record);
    }
    return { records, next: null };
  }
}

function lowerBound(values: number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
