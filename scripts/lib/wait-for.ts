type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls a condition until it holds; fails naming what was awaited and the last value seen. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
