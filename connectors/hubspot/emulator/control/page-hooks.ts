import type { Mutation } from './mutations.ts';

export type PageKind = 'list' | 'search';

/**
 * The concurrent writer: `mutations` are applied right after the `afterPage`-th page (1-based,
 * counted from when the hook is added) of a list or search of `object` (any, when omitted) is
 * served, once. The page served keeps what it had; later pages and searches see the change.
 */
export interface PageHook {
  afterPage: number;
  mutations: Mutation[];
  cursor?: PageKind;
  object?: string;
}

export class PageHooks {
  private hooks: Array<PageHook & { served: number }> = [];
  private readonly apply: (mutations: Mutation[]) => void;

  constructor(apply: (mutations: Mutation[]) => void) {
    this.apply = apply;
  }

  add(hook: PageHook): void {
    this.hooks.push({ ...hook, served: 0 });
  }

  pending(): PageHook[] {
    return this.hooks.map(({ served: _served, ...hook }) => hook);
  }

  clear(): void {
    this.hooks = [];
  }

  pageServed(kind: PageKind, object: string): void {
    const due: PageHook[] = [];
    for (const hook of this.hooks) {
      if ((hook.cursor ?? kind) !== kind || (hook.object ?? object) !== object) continue;
      hook.served++;
      if (hook.served === hook.afterPage) due.push(hook);
    }
    if (due.length === 0) return;
    this.hooks = this.hooks.filter((hook) => !due.includes(hook));
    for (const hook of due) this.apply(hook.mutations);
  }
}
