import { availableParallelism, cpus, platform, release, totalmem } from "node:os";

/** Where figures were measured: they mean little without it. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
}

export function describeMachine(): Machine {
  const cpu = cpus()[0];
  return {
    cpu: cpu ? `${cpu.model.trim()}${cpu.speed ? ` @ ${cpu.speed} MHz` : ""}` : "unknown",
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

export function machineLine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node.js ${machine.node}`;
}
