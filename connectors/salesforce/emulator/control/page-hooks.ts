import type { Mutation } from './mutations.ts';

export type CursorKind = 'query' | 'bulk';

/**
 * The concurrent writer (spec §10.3): mutations applied right after page `afterPage` (1-based)
 * of a REST query cursor or Bulk 2.0 results is served, once, by the first cursor to get there
 * (of `cursor` kind, when given). The cursor keeps its snapshot; the next sync window sees them.
 */
export interface PageHook {
  afterPage: number;
  mutations: Mutation[];
  cursor?: CursorKind;
}

export class PageHooks {
  private hooks: PageHook[] = [];
  private readonly apply: (mutations: Mutation[]) => void;

  constructor(apply: (mutations: Mutation[]) => void) {
    this.apply = apply;
  }

  add(hook: PageHook): void {
    this.hooks.push(hook);
  }

  pending(): PageHook[] {
    return [...this.hooks];
  }

  clear(): void {
    this.hooks = [];
  }

  pageServed(kind: CursorKind, page: number): void {
    const due = this.hooks.filter((hook) => hook.afterPage === page && (hook.cursor ?? kind) === kind);
    if (due.length === 0) return;
    this.hooks = this.hooks.filter((hook) => !due.includes(hook));
    for (const hook of due) this.apply(hook.mutations);
  }
}
