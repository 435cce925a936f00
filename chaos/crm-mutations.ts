import type { Mutation } from '../connectors/salesforce/emulator/control/mutations.ts';
import type { EmulatorStore } from '../connectors/salesforce/emulator/emulator-store.ts';
import type { Random } from '../connectors/world/random.ts';

const OPEN_STAGES = ['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review'];
const CLOSED_STAGES = ['Closed Won', 'Closed Lost'];
const LEAD_STATUSES = ['Working - Contacted', 'Closed - Not Converted'];

export interface MutationBatch {
  mutations: Mutation[];
  /** One line for the log, e.g. "update Opportunity 0065g… StageName=Closed Won; insert Task". */
  summary: string;
}

/**
 * What the org's users do while attain runs: one to four changes — opportunities moved along or
 * closed, new deals and calls, leads worked, records deleted — so every sync slot has new data
 * and every KPI stage has something to recompute. All ids come from the org as it is now.
 */
export function applyUserChanges(store: EmulatorStore, random: Random, now: Date): MutationBatch {
  const reps = ids(store, "SELECT Id FROM User WHERE IsActive = true AND UserType = 'Standard'").filter(
    (id) => id !== store.org.integrationUserId,
  );
  const mutations: Mutation[] = [];
  const lines: string[] = [];
  const count = random.int(1, 4);
  for (let i = 0; i < count; i++) {
    const choice = random.int(0, 5);
    const open = ids(store, 'SELECT Id FROM Opportunity WHERE IsClosed = false');
    if (choice === 0 && open.length > 0) {
      const id = random.pick(open);
      const Amount = random.int(10, 900) * 100;
      mutations.push({ op: 'update', object: 'Opportunity', id, fields: { Amount } });
      lines.push(`update Opportunity ${id} Amount=${Amount}`);
    } else if (choice === 1 && open.length > 0) {
      const id = random.pick(open);
      const StageName = random.pick(random.chance(0.5) ? CLOSED_STAGES : OPEN_STAGES);
      mutations.push({ op: 'update', object: 'Opportunity', id, fields: { StageName } });
      lines.push(`update Opportunity ${id} StageName=${StageName}`);
    } else if (choice === 2 && reps.length > 0) {
      const OwnerId = random.pick(reps);
      const closeDate = new Date(now.getTime() + random.int(0, 45) * 86_400_000).toISOString().slice(0, 10);
      mutations.push({
        op: 'insert',
        object: 'Opportunity',
        fields: {
          Name: `Chaos deal ${random.int(1000, 9999)}`,
          OwnerId,
          StageName: random.pick(OPEN_STAGES),
          CloseDate: closeDate,
          Amount: random.int(10, 900) * 100,
        },
      });
      lines.push(`insert Opportunity for ${OwnerId}`);
    } else if (choice === 3 && reps.length > 0) {
      const OwnerId = random.pick(reps);
      mutations.push({
        op: 'insert',
        object: 'Task',
        fields: {
          Subject: 'Call',
          TaskSubtype: 'Call',
          Status: 'Completed',
          OwnerId,
          ActivityDate: now.toISOString().slice(0, 10),
          CompletedDateTime: now.toISOString(),
          CallType: 'Outbound',
          CallDisposition: random.chance(0.5) ? 'Connected' : 'Left Voicemail',
        },
      });
      lines.push(`insert Task (call) for ${OwnerId}`);
    } else if (choice === 4) {
      const leads = ids(store, 'SELECT Id FROM Lead WHERE IsConverted = false');
      if (leads.length === 0) continue;
      const id = random.pick(leads);
      const Status = random.pick(LEAD_STATUSES);
      mutations.push({ op: 'update', object: 'Lead', id, fields: { Status } });
      lines.push(`update Lead ${id} Status=${Status}`);
    } else {
      const object = random.pick(['Opportunity', 'Lead', 'Task']);
      const live = ids(store, `SELECT Id FROM ${object}`);
      if (live.length === 0) continue;
      const id = random.pick(live);
      mutations.push({ op: 'delete', object, id });
      lines.push(`delete ${object} ${id}`);
    }
  }
  // Two changes to one record in a batch are fine: they apply in order, like two saves.
  store.mutate(mutations);
  return { mutations, summary: lines.join('; ') };
}

function ids(store: EmulatorStore, soql: string): string[] {
  return store.query(soql).map((record) => String(record.Id));
}
