/** A CRM owner (spec §3.7): a user who can own records, or a queue. */
export interface OwnerRecord {
  id: string;
  email: string | null;
  firstName: string;
  lastName: string;
  type: 'PERSON' | 'QUEUE';
  /** Null once the user is deactivated (archived); userIdIncludingInactive keeps it. */
  userId: number | null;
  userIdIncludingInactive: number | null;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  teams: Array<{ id: string; name: string; primary: boolean }>;
}

/** The portal's owners, in id order; archived ones are the deactivated users. */
export class OwnerStore {
  private readonly owners = new Map<string, OwnerRecord>();

  set(owner: OwnerRecord): void {
    this.owners.set(owner.id, owner);
  }

  get(id: string): OwnerRecord | undefined {
    return this.owners.get(id);
  }

  byUserId(userId: number): OwnerRecord | undefined {
    return this.all().find((owner) => owner.userIdIncludingInactive === userId);
  }

  all(): OwnerRecord[] {
    return [...this.owners.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  get size(): number {
    return this.owners.size;
  }
}

/** The wire shape (the client's PublicOwner). */
export function ownerJson(owner: OwnerRecord): Record<string, unknown> {
  return {
    id: owner.id,
    ...(owner.email === null ? {} : { email: owner.email }),
    firstName: owner.firstName,
    lastName: owner.lastName,
    type: owner.type,
    ...(owner.userId === null ? {} : { userId: owner.userId }),
    ...(owner.userIdIncludingInactive === null
      ? {}
      : { userIdIncludingInactive: owner.userIdIncludingInactive }),
    createdAt: owner.createdAt,
    updatedAt: owner.updatedAt,
    archived: owner.archived,
    teams: owner.teams,
  };
}
