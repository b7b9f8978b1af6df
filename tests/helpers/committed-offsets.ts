import type { Admin } from 'kafkajs';

/** The group's committed offsets for `topic`, by partition; -1 where nothing is committed. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

/** Sum over partitions of the group's committed offsets (partitions with nothing committed count 0). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  return (await committedOffsets(admin, groupId, topic)).reduce((sum, o) => sum + Math.max(0, o), 0);
}
