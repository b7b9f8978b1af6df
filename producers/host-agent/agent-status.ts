/** What the agent reports about itself: in its log, on its Prometheus port and as tidewatch.agent.* samples. */
export interface AgentStatus {
  host: string;
  boot: number;
  /** Records given an event id (samples and process records). */
  emitted: number;
  /** Records Kafka acknowledged (sent directly or drained from the spool). */
  sent: number;
  /** Records written to the spool because Kafka was away or busy. */
  spooled: number;
  /** Spooled records dropped because the spool was full. */
  dropped: number;
  /** Damaged spool records skipped. */
  corrupt: number;
  spoolBytes: number;
  spoolRecords: number;
  link: 'up' | 'down';
  producerRecreations: number;
  collectorFailures: number;
  processEventsDropped: number;
  lastError?: string;
}
