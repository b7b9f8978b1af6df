/** One record as read from Kafka, before decoding. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  /** 64-bit offset as a decimal string. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The partition's high watermark when this record was fetched (offset of the next record to be written). */
  highWatermark?: string;
  /**
   * Set when this stands for a whole record batch that could not be read (at the batch's last
   * offset, no key or value: `core/kafka/record-batch-decode.ts`): why. Decoding dead-letters it.
   */
  unreadable?: string;
}
