import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Partition p of every subscribed topic goes to the same member: an actor's inputs
 * arrive on several topics under the same key, and the task for partition p owns the
 * state of every key that hashes to p. Tasks are spread round-robin over the members
 * sorted by id, so every member computes the same plan.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'OtaflowCoPartitioned',
  version: 1,
  async assign({ members, topics }) {
    const counts = topics.map((topic) => cluster.findTopicPartitionMetadata(topic).length);
    const tasks = Math.max(0, ...counts);
    const memberIds = members.map((m) => m.memberId).sort();
    const plan = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    for (let p = 0; p < tasks; p++) {
      const owner = plan.get(memberIds[p % memberIds.length]!)!;
      topics.forEach((topic, i) => {
        if (p < counts[i]!) (owner[topic] ??= []).push(p);
      });
    }
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: plan.get(memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'OtaflowCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
