import type { Clock } from '../../../emulator-kit/clock.ts';
import { ControlError } from '../../../emulator-kit/control-error.ts';
import type { IdAllocator } from '../ids.ts';
import type { FieldDef } from '../schema/field-def.ts';
import type { OrgSchema } from '../schema/org-schema.ts';
import { formatDateTime } from '../wire-format.ts';
import { archiveCutoff, isArchivable, isArchived, type ArchiveCutoff } from './archive.ts';
import { deriveFields, round } from './derived-fields.ts';
import { recordFactory, type RecordFactory } from './record-shape.ts';
import type { FieldValue, RecordRef, SObjectRecord } from './sobject-record.ts';

export interface WriteOptions {
  /** The write's SystemModstamp (stored form). Default: the clock, in whole seconds. */
  systemModstamp?: string;
  /** Who writes (LastModifiedById); default the org's default user. */
  userId?: string;
}

export interface Deletion {
  id: string;
  deletedDate: string;
}

/** Children whose parent's delete cascades to them and whose totals roll up to the parent. */
const CHILD_LINKS = [
  { child: 'OpportunityLineItem', field: 'OpportunityId' },
  { child: 'Quote', field: 'OpportunityId' },
  { child: 'QuoteLineItem', field: 'QuoteId' },
] as const;

/**
 * Every record of the org, by object and id. Writes replace records (never mutate them), bump
 * SystemModstamp and LastModifiedDate, recompute derived fields, activity archiving and parent
 * roll-ups (Opportunity.Amount from its line items, Quote totals from its lines). Soft-deleted
 * records stay with IsDeleted = true; purged ones leave the store but stay in the deletion log
 * that getDeleted reads.
 */
export class RecordStore {
  private readonly tables = new Map<string, Map<string, SObjectRecord>>();
  private readonly deletionLog = new Map<string, Map<string, Deletion>>();
  private readonly children = new Map<string, Set<string>>();
  /** Record layouts, rebuilt when an object's fields change (see record-shape.ts). */
  private cutoffCache: { second: number; cutoff: ArchiveCutoff } | undefined;
  private readonly shapes = new Map<string, { fields: readonly FieldDef[]; make: RecordFactory }>();
  private readonly schema: OrgSchema;
  private readonly clock: Clock;
  private readonly ids: IdAllocator;
  private readonly timezone: string;
  private readonly defaultUserId: () => string;

  constructor(options: {
    schema: OrgSchema;
    clock: Clock;
    ids: IdAllocator;
    timezone: string;
    defaultUserId: () => string;
  }) {
    this.schema = options.schema;
    this.clock = options.clock;
    this.ids = options.ids;
    this.timezone = options.timezone;
    this.defaultUserId = options.defaultUserId;
    for (const def of this.schema.objects()) this.tables.set(def.name, new Map());
  }

  /** All records of `object` (canonical name), deleted and archived ones included. */
  table(object: string): ReadonlyMap<string, SObjectRecord> {
    return this.tables.get(object) ?? new Map();
  }

  objectNames(): string[] {
    return [...this.tables.keys()];
  }

  find(id: string): RecordRef | undefined {
    for (const def of this.schema.objectsWithPrefix(id.slice(0, 3))) {
      const record = this.tables.get(def.name)?.get(id);
      if (record) return { object: def.name, record };
    }
    return undefined;
  }

  deletions(object: string): Deletion[] {
    return [...(this.deletionLog.get(object)?.values() ?? [])];
  }

  /** Adds a record as loaded (world or fixture): no stamping, archiving decided now. */
  load(object: string, fields: Record<string, FieldValue>): SObjectRecord {
    const table = this.requireTable(object);
    const id = fields.Id;
    if (typeof id !== 'string') throw new ControlError(`${object} record without an Id`);
    if (table.has(id)) throw new ControlError(`duplicate ${object} Id ${id}`);
    this.ids.reserve(id);
    const draft = this.withAllFields(object, fields);
    if (isArchivable(object)) draft.IsArchived = isArchived(object, draft, this.cutoff());
    table.set(id, draft);
    this.index(object, draft);
    if (draft.IsDeleted === true) {
      this.logDeletion(object, id, String(draft.SystemModstamp));
    }
    return draft;
  }

  insert(object: string, fields: Record<string, FieldValue>, options: WriteOptions = {}): SObjectRecord {
    const table = this.requireTable(object);
    const def = this.schema.object(object)!;
    const stamp = options.systemModstamp ?? this.stampNow();
    const userId = options.userId ?? this.defaultUserId();
    const id = typeof fields.Id === 'string' ? fields.Id : this.ids.allocate(def.keyPrefix);
    if (table.has(id)) throw new ControlError(`duplicate ${object} Id ${id}`);
    this.ids.reserve(id);
    const draft = this.withAllFields(object, {
      IsDeleted: false,
      CreatedDate: stamp,
      CreatedById: userId,
      ...fields,
      Id: id,
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    });
    for (const f of def.fields) {
      if (draft[f.name] !== null) continue;
      if (f.type === 'boolean') draft[f.name] = false;
      else if (f.name === 'OwnerId') draft[f.name] = userId;
      else if (f.picklistValues.some((v) => v.defaultValue)) {
        draft[f.name] = f.picklistValues.find((v) => v.defaultValue)!.value;
      }
    }
    const record = this.save(object, draft, new Set(Object.keys(fields)));
    this.index(object, record);
    this.rollUp(object, record, stamp, userId);
    return record;
  }

  update(
    object: string,
    id: string,
    fields: Record<string, FieldValue>,
    options: WriteOptions = {},
  ): SObjectRecord {
    const current = this.require(object, id);
    const stamp = options.systemModstamp ?? this.stampNow();
    const userId = options.userId ?? this.defaultUserId();
    const draft: Record<string, FieldValue> = {
      ...current,
      ...fields,
      Id: id,
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    };
    const record = this.save(object, draft, new Set(Object.keys(fields)));
    this.rollUp(object, record, stamp, userId);
    return record;
  }

  /** Moves a record (and its cascade children) to the recycle bin. */
  softDelete(object: string, id: string, options: WriteOptions = {}): SObjectRecord {
    const current = this.require(object, id);
    if (current.IsDeleted === true) throw new ControlError(`${object} ${id} is already deleted`);
    const stamp = options.systemModstamp ?? this.stampNow();
    const userId = options.userId ?? this.defaultUserId();
    const deleted = this.setDeleted(object, current, true, stamp, userId);
    for (const child of this.childRefs(id)) {
      if (child.record.IsDeleted !== true)
        this.softDelete(child.object, String(child.record.Id), { systemModstamp: stamp, userId });
    }
    this.rollUp(object, deleted, stamp, userId);
    return deleted;
  }

  /** Restores a record from the recycle bin, with the children its delete took along. */
  undelete(object: string, id: string, options: WriteOptions = {}): SObjectRecord {
    const current = this.require(object, id);
    if (current.IsDeleted !== true) throw new ControlError(`${object} ${id} is not deleted`);
    const deletedAt = current.SystemModstamp;
    const stamp = options.systemModstamp ?? this.stampNow();
    const userId = options.userId ?? this.defaultUserId();
    const restored = this.setDeleted(object, current, false, stamp, userId);
    for (const child of this.childRefs(id)) {
      if (child.record.IsDeleted === true && child.record.SystemModstamp === deletedAt) {
        this.undelete(child.object, String(child.record.Id), { systemModstamp: stamp, userId });
      }
    }
    this.rollUp(object, restored, stamp, userId);
    return restored;
  }

  /** Removes a record for good (recycle bin emptied / hard delete); getDeleted still lists it. */
  purge(object: string, id: string, options: WriteOptions = {}): void {
    const current = this.require(object, id);
    const stamp = options.systemModstamp ?? this.stampNow();
    for (const child of this.childRefs(id))
      this.purge(child.object, String(child.record.Id), { systemModstamp: stamp });
    if (current.IsDeleted !== true) this.logDeletion(object, id, stamp);
    this.tables.get(object)!.delete(id);
    this.unindex(object, current);
    this.rollUp(object, current, stamp, options.userId ?? this.defaultUserId());
  }

  private setDeleted(
    object: string,
    current: SObjectRecord,
    deleted: boolean,
    stamp: string,
    userId: string,
  ) {
    const draft = this.withAllFields(object, {
      ...current,
      IsDeleted: deleted,
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    });
    this.tables.get(object)!.set(String(current.Id), draft);
    if (deleted) this.logDeletion(object, String(current.Id), stamp);
    else this.deletionLog.get(object)?.delete(String(current.Id));
    return draft;
  }

  private save(
    object: string,
    fields: Record<string, FieldValue>,
    changed: ReadonlySet<string>,
  ): SObjectRecord {
    const draft = this.withAllFields(object, fields);
    deriveFields(object, draft, changed);
    if (isArchivable(object)) draft.IsArchived = isArchived(object, draft, this.cutoff());
    this.tables.get(object)!.set(String(draft.Id), draft);
    return draft;
  }

  /** Parent totals Salesforce maintains from child rows; the parent's stamp moves with them. */
  private rollUp(object: string, child: SObjectRecord, stamp: string, userId: string): void {
    if (object !== 'OpportunityLineItem' && object !== 'QuoteLineItem') return;
    const parentField = object === 'OpportunityLineItem' ? 'OpportunityId' : 'QuoteId';
    const parentObject = object === 'OpportunityLineItem' ? 'Opportunity' : 'Quote';
    const parentId = child[parentField];
    if (typeof parentId !== 'string') return;
    const parent = this.tables.get(parentObject)?.get(parentId);
    if (!parent) return;
    const lines = this.childRefs(parentId)
      .filter((ref) => ref.object === object && ref.record.IsDeleted !== true)
      .map((ref) => ref.record);
    const fields = object === 'OpportunityLineItem' ? opportunityRollUp(lines) : quoteRollUp(lines);
    const draft = {
      ...parent,
      ...fields,
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    };
    this.save(parentObject, draft, new Set(Object.keys(fields)));
  }

  private childRefs(parentId: string): RecordRef[] {
    const refs: RecordRef[] = [];
    for (const key of this.children.get(parentId) ?? []) {
      const [object, id] = key.split(':') as [string, string];
      const record = this.tables.get(object)?.get(id);
      if (record) refs.push({ object, record });
    }
    return refs;
  }

  private index(object: string, record: SObjectRecord): void {
    for (const link of CHILD_LINKS) {
      const parentId = record[link.field];
      if (link.child !== object || typeof parentId !== 'string') continue;
      let set = this.children.get(parentId);
      if (!set) this.children.set(parentId, (set = new Set()));
      set.add(`${object}:${String(record.Id)}`);
    }
  }

  private unindex(object: string, record: SObjectRecord): void {
    for (const link of CHILD_LINKS) {
      const parentId = record[link.field];
      if (link.child === object && typeof parentId === 'string') {
        this.children.get(parentId)?.delete(`${object}:${String(record.Id)}`);
      }
    }
  }

  private logDeletion(object: string, id: string, deletedDate: string): void {
    let log = this.deletionLog.get(object);
    if (!log) this.deletionLog.set(object, (log = new Map()));
    log.set(id, { id, deletedDate });
  }

  /** A record with every field of its object present (null when unset), in describe order. */
  private withAllFields(
    object: string,
    fields: Readonly<Record<string, FieldValue>>,
  ): Record<string, FieldValue> {
    const fieldDefs = this.schema.object(object)!.fields;
    let shape = this.shapes.get(object);
    if (shape?.fields !== fieldDefs)
      this.shapes.set(object, (shape = { fields: fieldDefs, make: recordFactory(fieldDefs) }));
    return shape.make(fields);
  }

  private require(object: string, id: string): SObjectRecord {
    const record = this.requireTable(object).get(id);
    if (!record) throw new ControlError(`no ${object} with Id ${id}`);
    return record;
  }

  private requireTable(object: string): Map<string, SObjectRecord> {
    const table = this.tables.get(object);
    if (!table) throw new ControlError(`sObject type '${object}' is not supported by this org`);
    return table;
  }

  private stampNow(): string {
    return formatDateTime(this.clock.nowSecondsMs());
  }

  /** The archive cutoff, recomputed once per emulator-clock second (loading a world asks a million times). */
  private cutoff(): ArchiveCutoff {
    const second = Math.floor(this.clock.nowMs() / 1000);
    if (this.cutoffCache?.second !== second) {
      this.cutoffCache = { second, cutoff: archiveCutoff(second * 1000, this.timezone) };
    }
    return this.cutoffCache.cutoff;
  }
}

function opportunityRollUp(lines: SObjectRecord[]): Record<string, FieldValue> {
  if (lines.length === 0) return { HasOpportunityLineItem: false };
  return { HasOpportunityLineItem: true, Amount: round(sum(lines, 'TotalPrice'), 2) };
}

function quoteRollUp(lines: SObjectRecord[]): Record<string, FieldValue> {
  const subtotal = round(sum(lines, 'Subtotal'), 2);
  const total = round(sum(lines, 'TotalPrice'), 2);
  return {
    Subtotal: subtotal,
    TotalPrice: total,
    Discount: subtotal > 0 ? round(((subtotal - total) / subtotal) * 100, 2) : null,
    LineItemCount: lines.length,
  };
}

function sum(records: SObjectRecord[], field: string): number {
  let total = 0;
  for (const record of records) if (typeof record[field] === 'number') total += record[field];
  return total;
}
