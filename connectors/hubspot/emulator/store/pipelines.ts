/** A pipeline stage (spec §3.8): metadata values are strings (`"true"`, `"1.0"`). */
export interface StageDef {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PipelineDef {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  stages: StageDef[];
}

/** Pipelines per object type (deals, leads). */
export class PipelineStore {
  private readonly pipelines = new Map<string, PipelineDef[]>();

  set(type: string, pipeline: PipelineDef): void {
    const list = (this.pipelines.get(type) ?? []).filter((known) => known.id !== pipeline.id);
    list.push(pipeline);
    list.sort((a, b) => a.displayOrder - b.displayOrder);
    this.pipelines.set(type, list);
  }

  list(type: string): PipelineDef[] {
    return this.pipelines.get(type) ?? [];
  }

  get(type: string, id: string): PipelineDef | undefined {
    return this.list(type).find((pipeline) => pipeline.id === id);
  }

  stage(type: string, pipelineId: string, stageId: string): StageDef | undefined {
    return this.get(type, pipelineId)?.stages.find((stage) => stage.id === stageId);
  }

  /** Whether `stageId` is a stage of any pipeline of `type`. */
  hasStage(type: string, stageId: string): boolean {
    return this.list(type).some((pipeline) => pipeline.stages.some((stage) => stage.id === stageId));
  }
}
