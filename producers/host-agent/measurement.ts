/** What a collector reports: a sample before it gets its identity and time. */
export interface Measurement {
  metric: string;
  value: number;
  unit: string;
  attributes?: Record<string, string>;
}
