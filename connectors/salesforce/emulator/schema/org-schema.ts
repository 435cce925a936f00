import { ControlError } from '../../../emulator-kit/control-error.ts';
import type { FieldDef, ObjectDef } from './field-def.ts';

interface IndexedObject {
  def: ObjectDef;
  fields: Map<string, FieldDef>;
  relationships: Map<string, FieldDef>;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
}

/**
 * The org's metadata with Salesforce's case-insensitive name lookup. It is mutable the way an
 * admin changes an org: tests delete a field or revoke edit access to it, and `--data` fixtures
 * add fields the built-in schema lacks.
 */
export class OrgSchema {
  private readonly byName = new Map<string, IndexedObject>();
  /** Built on first use, dropped whenever an object changes (id lookups run once per parent field). */
  private byPrefix: Map<string, ObjectDef[]> | undefined;

  constructor(objects: ObjectDef[]) {
    for (const def of objects) this.put(def);
  }

  objects(): ObjectDef[] {
    return [...this.byName.values()].map((entry) => entry.def);
  }

  object(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase())?.def;
  }

  field(objectName: string, fieldName: string): FieldDef | undefined {
    return this.byName.get(objectName.toLowerCase())?.fields.get(fieldName.toLowerCase());
  }

  /** The lookup field behind relationship `name` (`Owner` → OwnerId) on `objectName`. */
  relationship(objectName: string, name: string): FieldDef | undefined {
    return this.byName.get(objectName.toLowerCase())?.relationships.get(name.toLowerCase());
  }

  /** Objects whose ids start with `prefix` (usually one; OpportunityStage and LeadStatus share 01J). */
  objectsWithPrefix(prefix: string): ObjectDef[] {
    if (!this.byPrefix) {
      this.byPrefix = new Map();
      for (const def of this.objects())
        this.byPrefix.set(def.keyPrefix, [...(this.byPrefix.get(def.keyPrefix) ?? []), def]);
    }
    return this.byPrefix.get(prefix) ?? [];
  }

  childRelationships(objectName: string): ChildRelationship[] {
    const children: ChildRelationship[] = [];
    for (const def of this.objects()) {
      for (const f of def.fields) {
        if (f.type === 'reference' && f.referenceTo.includes(objectName)) {
          children.push({ childSObject: def.name, field: f.name, relationshipName: f.childRelationshipName });
        }
      }
    }
    return children;
  }

  addField(objectName: string, def: FieldDef): void {
    const object = this.require(objectName);
    this.put({ ...object, fields: [...object.fields, def] });
  }

  /** Deletes a field from the org, as an admin would; queries and writes naming it then fail. */
  removeField(objectName: string, fieldName: string): void {
    const object = this.require(objectName);
    const target = this.requireField(object, fieldName);
    this.put({ ...object, fields: object.fields.filter((f) => f !== target) });
  }

  /** Grants or revokes edit access (field-level security) to a field. */
  setUpdateable(objectName: string, fieldName: string, updateable: boolean): void {
    const object = this.require(objectName);
    const target = this.requireField(object, fieldName);
    this.put({
      ...object,
      fields: object.fields.map((f) => (f === target ? { ...f, updateable, createable: updateable } : f)),
    });
  }

  private require(objectName: string): ObjectDef {
    const def = this.object(objectName);
    if (!def) throw new ControlError(`unknown sObject ${objectName}`);
    return def;
  }

  private requireField(object: ObjectDef, fieldName: string): FieldDef {
    const def = object.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
    if (!def) throw new ControlError(`unknown field ${object.name}.${fieldName}`);
    return def;
  }

  private put(def: ObjectDef): void {
    const fields = new Map<string, FieldDef>();
    const relationships = new Map<string, FieldDef>();
    for (const f of def.fields) {
      fields.set(f.name.toLowerCase(), f);
      if (f.relationshipName) relationships.set(f.relationshipName.toLowerCase(), f);
    }
    this.byName.set(def.name.toLowerCase(), { def, fields, relationships });
    this.byPrefix = undefined;
  }
}
