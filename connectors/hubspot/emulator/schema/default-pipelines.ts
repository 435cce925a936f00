import { DEFAULT_DEAL_PIPELINE_ID, LEAD_PIPELINE_ID, LEAD_STAGES } from '../../builtins.ts';
import { STAGES } from '../../../world/types.ts';
import type { PipelineDef } from '../store/pipelines.ts';

/** The deals pipeline every portal starts with, its stages and their metadata from the world's STAGES. */
export function defaultDealPipeline(createdAt: string): PipelineDef {
  return {
    id: DEFAULT_DEAL_PIPELINE_ID,
    label: 'Sales Pipeline',
    displayOrder: 0,
    archived: false,
    createdAt,
    updatedAt: createdAt,
    stages: STAGES.map((stage, displayOrder) => ({
      id: stage.hubspotId,
      label: stage.label,
      displayOrder,
      metadata: { isClosed: String(stage.isClosed), probability: decimalText(stage.probability) },
      archived: false,
      createdAt,
      updatedAt: createdAt,
    })),
  };
}

/** The leads pipeline (spec §3.8); qualified and unqualified are its closed stages. */
export function defaultLeadPipeline(createdAt: string): PipelineDef {
  return {
    id: LEAD_PIPELINE_ID,
    label: 'Lead pipeline',
    displayOrder: 0,
    archived: false,
    createdAt,
    updatedAt: createdAt,
    stages: Object.values(LEAD_STAGES).map((stage, displayOrder) => ({
      id: stage.id,
      label: stage.label,
      displayOrder,
      metadata: { isClosed: String(stage === LEAD_STAGES.qualified || stage === LEAD_STAGES.unqualified) },
      archived: false,
      createdAt,
      updatedAt: createdAt,
    })),
  };
}

/** '0.2', '1.0', '0.0': stage probabilities as HubSpot writes them. */
function decimalText(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
