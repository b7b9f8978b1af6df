import type { Observable } from 'rxjs';
import { retry, RetryOptions } from './retry';

/**
 * A payload plus its acknowledgement: offsets move only after `ack`. `ack(commitUpTo)` may hold
 * the commit back to an earlier position of the source (e.g. the first offset still feeding an
 * open window), which is then read again after a restart.
 */
export interface Envelope<T> {
  payload: T;
  ack(commitUpTo?: string): void;
  nack(err: unknown): void;
}

/** Produces envelopes; owns pause/resume and offset commits. */
export interface Source<T> {
  readonly batches$: Observable<Envelope<T>>;
  close(): Promise<void>;
}

/** Writes batches; `write` resolves only when the batch is durable. */
export interface Sink<T> {
  readonly name: string;
  write(batch: readonly T[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sink that encodes ahead of its write: `encode` (synchronous, pure) turns a batch into one
 * chunk as soon as the batch is ready, so a batch waiting for its write holds that chunk rather
 * than its records; `sink` writes chunks, several in one go.
 */
export interface EncodingSink<T, C> {
  /** `frames`, when given, are the records' Kafka values (Confluent-framed Avro), in order. */
  encode(batch: readonly T[], frames?: readonly (Buffer | null)[]): C;
  readonly sink: Sink<C>;
}

/** The same sink, retrying retriable write failures with backoff and full jitter. */
export function withRetry<T>(sink: Sink<T>, options: RetryOptions): Sink<T> {
  return {
    name: sink.name,
    write: (batch) => retry(() => sink.write(batch), options),
    close: () => sink.close(),
  };
}

/**
 * Which partitions this consumer owns, as its source last learned it, so stateful stages can
 * hand over cleanly on a rebalance: `version` changes with every new assignment, and `owns` is
 * true for every partition while ownership is unknown (before the first join, during a
 * rebalance), so nothing is dropped on a guess.
 */
export interface Assignment {
  readonly version: number;
  owns(topic: string, partition: number): boolean;
}

/** A check that answers true once after each change of `assignment` (for stages to hand over). */
export function reassignments(assignment: Assignment): () => boolean {
  let version = assignment.version;
  return () => {
    if (assignment.version === version) return false;
    version = assignment.version;
    return true;
  };
}

/** The assignment of a source that owns everything it reads (tests, a single consumer). */
export const ownsEverything: Assignment = { version: 0, owns: () => true };

/**
 * Where results go for people watching live (the gateway): best effort, never waits and never
 * holds up a commit; whoever implements it bounds its own memory.
 */
export interface LiveOutlet<Sample, Aggregate, Incident> {
  samples(batch: readonly Sample[]): void;
  aggregates(batch: readonly Aggregate[]): void;
  anomalies(batch: readonly Incident[]): void;
}
