export interface StageRow {
  name: string;
  p: number;
  r: number;
  map: number;
  params: number;
  bytes: number;
  bflops: number;
  latencyMs?: number;
}
export function measureStages(
  cli: (...args: string[]) => string,
  data: string,
  stages: { name: string; cfg: string; weights: string; latencyMs?: number }[],
): StageRow[];
export function formatStageTable(rows: StageRow[], runtime: string): string[];
export function stageSummary(b: StageRow, f: StageRow): string;
