/**
 * Partition p of every subscribed topic goes to the same member: an actor's inputs
 * arrive on several topics under the same key, and the task for partition p owns the
 * state of every key that hashes to p. Tasks are spread round-robin over the members
 * sorted by id, so every member computes the same plan. Each driver plugs this into its
 * client's assigner hook.
 */
export function coPartitionedPlan(memberIds: readonly string[], partitionCounts: ReadonlyMap<string, number>): Map<string, Record<string, number[]>> {
  const tasks = Math.max(0, ...partitionCounts.values());
  const sorted = [...memberIds].sort();
  const plan = new Map<string, Record<string, number[]>>(sorted.map((id) => [id, {}]));
  for (let p = 0; p < tasks; p++) {
    const owner = plan.get(sorted[p % sorted.length]!)!;
    for (const [topic, count] of partitionCounts) if (p < count) (owner[topic] ??= []).push(p);
  }
  return plan;
}
