import { ASSOCIATION_TYPE_IDS } from '../../builtins.ts';

/** One association as v4 reports it. */
export interface AssociationType {
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  typeId: number;
  label: string | null;
}

/**
 * The association graph: for each (fromType, toType) pair, the target ids of every source
 * record. Both directions are stored, so reading from either side costs one lookup.
 */
export class AssociationStore {
  private readonly edges = new Map<string, Map<string, Set<string>>>();
  private readonly customTypeIds = new Map<string, number>();
  private nextCustomTypeId = 1000;

  add(fromType: string, fromId: string, toType: string, toId: string): void {
    this.side(fromType, toType, fromId).add(toId);
    this.side(toType, fromType, toId).add(fromId);
  }

  remove(fromType: string, fromId: string, toType: string, toId: string): void {
    this.edges.get(pairKey(fromType, toType))?.get(fromId)?.delete(toId);
    this.edges.get(pairKey(toType, fromType))?.get(toId)?.delete(fromId);
  }

  /** Target ids of `fromId`, ascending. */
  targets(fromType: string, fromId: string, toType: string): string[] {
    const found = this.edges.get(pairKey(fromType, toType))?.get(fromId);
    return found ? [...found].sort((a, b) => Number(a) - Number(b)) : [];
  }

  /** Every target type `fromId` has associations to, with their ids. */
  all(fromType: string, fromId: string): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const key of this.edges.keys()) {
      const [from, to] = key.split('|') as [string, string];
      if (from !== fromType) continue;
      const ids = this.targets(fromType, fromId, to);
      if (ids.length > 0) result[to] = ids;
    }
    return result;
  }

  /** Forgets every association of a purged record. */
  forget(type: string, id: string): void {
    for (const [key, sources] of this.edges) {
      const [from, to] = key.split('|') as [string, string];
      if (from !== type) continue;
      for (const target of sources.get(id) ?? []) this.edges.get(pairKey(to, from))?.get(target)?.delete(id);
      sources.delete(id);
    }
  }

  /** The association type of a pair: HubSpot-defined ids, or one allocated per custom pair. */
  typeOf(fromType: string, toType: string, fromSingular: string, toSingular: string): AssociationType {
    const key = pairKey(fromType, toType);
    const defined = ASSOCIATION_TYPE_IDS[key];
    if (defined !== undefined) return { category: 'HUBSPOT_DEFINED', typeId: defined, label: null };
    let typeId = this.customTypeIds.get(key);
    if (typeId === undefined) this.customTypeIds.set(key, (typeId = this.nextCustomTypeId++));
    return { category: 'USER_DEFINED', typeId, label: `${fromSingular}_to_${toSingular}` };
  }

  private side(fromType: string, toType: string, fromId: string): Set<string> {
    const key = pairKey(fromType, toType);
    let sources = this.edges.get(key);
    if (!sources) this.edges.set(key, (sources = new Map()));
    let targets = sources.get(fromId);
    if (!targets) sources.set(fromId, (targets = new Set()));
    return targets;
  }
}

function pairKey(fromType: string, toType: string): string {
  return `${fromType}|${toType}`;
}
