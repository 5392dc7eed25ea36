// The machine a benchmark ran on: CPU, cores, memory, OS, Node and the load at the time (a shared
// machine's figures are only comparable at similar load).

import { availableParallelism, cpus, loadavg, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  cpu: string;
  logicalCpus: number;
  memoryGB: number;
  os: string;
  node: string;
  loadAverage: [number, number, number];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  const [l1, l5, l15] = loadavg();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    logicalCpus: availableParallelism(),
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAverage: [l1, l5, l15].map((v) => Math.round(v * 100) / 100) as [number, number, number],
  };
}
