import type { Producer, Transaction } from 'kafkajs';

/**
 * Runs `work` inside a Kafka transaction and commits it. kafkajs has no KIP-447
 * support, and a broker still finishing the previous commit of the same transactional
 * id answers CONCURRENT_TRANSACTIONS (kafkajs#430, #1315): that is retried with
 * backoff. Anything else aborts and is rethrown.
 */
export async function inTransaction(producer: Producer, work: (tx: Transaction) => Promise<void>, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const tx = await producer.transaction();
    try {
      await work(tx);
      await tx.commit();
      return;
    } catch (e) {
      if (tx.isActive()) await tx.abort().catch(() => undefined);
      if (!isConcurrentTransactions(e) || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    }
  }
}

function isConcurrentTransactions(e: unknown): boolean {
  for (let cur = e as { type?: string; originalError?: unknown; cause?: unknown } | undefined; cur; ) {
    if (cur.type === 'CONCURRENT_TRANSACTIONS') return true;
    cur = (cur.originalError ?? cur.cause) as typeof cur;
  }
  return false;
}

export function isFenced(e: unknown): boolean {
  const text = String((e as Error)?.message ?? e);
  const type = (e as { type?: string })?.type ?? '';
  return /fenced|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/i.test(`${type} ${text}`);
}
