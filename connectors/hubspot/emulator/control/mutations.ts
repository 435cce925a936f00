import { ControlError } from '../../../emulator-kit/control-error.ts';
import { HubSpotError } from '../hubspot-error.ts';
import type { PortalStore } from '../portal-store.ts';
import type { PropertyValues } from '../store/hubspot-record.ts';
import type { OwnerRecord } from '../store/owners.ts';
import type { PipelineDef } from '../store/pipelines.ts';

/**
 * Changes made "as a user would" in the portal (control API), outside the API under test: any
 * property may be set, calculated ones excepted, and `at` may give an explicit modification
 * stamp — equal to or older than ones a sync has already read, or one stamp shared by thousands
 * of records as HubSpot's bulk jobs do.
 */
export type Mutation =
  | {
      op: 'create';
      object: string;
      properties: Record<string, unknown>;
      associations?: Record<string, string[]>;
      at?: string;
    }
  | { op: 'update'; object: string; id: string; properties: Record<string, unknown>; at?: string }
  | { op: 'archive' | 'restore'; object: string; id: string; at?: string }
  | { op: 'purge'; object: string; id: string }
  | { op: 'associate' | 'dissociate'; object: string; id: string; toObject: string; toId: string }
  | { op: 'owner'; owner: Partial<OwnerRecord> & { id: string } }
  | { op: 'pipeline'; object: string; pipeline: PipelineDef };

export interface MutationResult {
  op: Mutation['op'];
  object: string;
  id: string;
}

export function applyMutations(store: PortalStore, mutations: Mutation[]): MutationResult[] {
  return mutations.map((mutation) => {
    try {
      return applyMutation(store, mutation);
    } catch (error) {
      if (error instanceof HubSpotError) throw new ControlError(`${mutation.op}: ${error.message}`);
      throw error;
    }
  });
}

function applyMutation(store: PortalStore, mutation: Mutation): MutationResult {
  switch (mutation.op) {
    case 'owner': {
      const current = store.owners.get(mutation.owner.id);
      const now = store.clock.now().toISOString();
      const owner: OwnerRecord = {
        email: null,
        firstName: '',
        lastName: '',
        type: 'PERSON',
        userId: null,
        userIdIncludingInactive: null,
        archived: false,
        createdAt: now,
        teams: [],
        ...current,
        ...mutation.owner,
        updatedAt: now,
      };
      store.setOwner(owner);
      return { op: mutation.op, object: 'owners', id: owner.id };
    }
    case 'pipeline': {
      const type = typeOf(store, mutation.object);
      store.pipelines.set(type, mutation.pipeline);
      return { op: mutation.op, object: type, id: mutation.pipeline.id };
    }
    case 'create': {
      const type = typeOf(store, mutation.object);
      const record = store.create(type, values(store, type, mutation.properties), at(mutation.at));
      for (const [toObject, ids] of Object.entries(mutation.associations ?? {}))
        for (const toId of ids) store.associations.add(type, record.id, typeOf(store, toObject), toId);
      return { op: mutation.op, object: type, id: record.id };
    }
    case 'update': {
      const type = typeOf(store, mutation.object);
      store.update(type, mutation.id, values(store, type, mutation.properties), at(mutation.at));
      return { op: mutation.op, object: type, id: mutation.id };
    }
    case 'archive':
    case 'restore': {
      const type = typeOf(store, mutation.object);
      if (mutation.op === 'archive') store.archive(type, mutation.id, at(mutation.at));
      else store.restore(type, mutation.id, at(mutation.at));
      return { op: mutation.op, object: type, id: mutation.id };
    }
    case 'purge': {
      const type = typeOf(store, mutation.object);
      store.purge(type, mutation.id);
      return { op: mutation.op, object: type, id: mutation.id };
    }
    case 'associate':
    case 'dissociate': {
      const type = typeOf(store, mutation.object);
      const toType = typeOf(store, mutation.toObject);
      if (mutation.op === 'associate') store.associations.add(type, mutation.id, toType, mutation.toId);
      else store.associations.remove(type, mutation.id, toType, mutation.toId);
      return { op: mutation.op, object: type, id: mutation.id };
    }
    default:
      throw new ControlError(`unknown mutation op '${String((mutation as { op: unknown }).op)}'`);
  }
}

function typeOf(store: PortalStore, object: unknown): string {
  const type = typeof object === 'string' ? store.resolveType(object) : undefined;
  if (!type) throw new ControlError(`unknown object type '${String(object)}'`);
  return type.name;
}

function values(
  store: PortalStore,
  type: string,
  properties: Record<string, unknown> | undefined,
): PropertyValues {
  if (!properties || typeof properties !== 'object')
    throw new ControlError(`${type} mutation without properties`);
  const checked = store.properties.check(type, properties, { allowReadOnly: true });
  const calculated = Object.keys(checked.values).filter(
    (name) => store.properties.get(type, name)?.calculated,
  );
  const problems = [
    ...checked.problems.map((problem) => `${problem.name}: ${problem.message}`),
    ...calculated.map((name) => `${name}: calculated by the portal`),
  ];
  if (problems.length > 0) throw new ControlError(`${type}: ${problems.join('; ')}`);
  return checked.values;
}

function at(stamp: string | undefined): { at?: string } {
  return stamp === undefined ? {} : { at: stamp };
}
