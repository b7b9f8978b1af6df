export { hostAgent } from './host-agent';
export type { HostAgent, HostAgentOptions } from './host-agent';
export { collectHost, cpuMeasurements, memoryMeasurements } from './collectors';
export { sampleStamper } from './sample-stamper';
export { samplePublisher } from './sample-publisher';
export type { Measurement } from './measurement';
