/**
 * Preloaded into a service process the bench measures (`node --expose-gc --import` this file,
 * ServiceProcess `measured`): asked "memory" over the IPC channel, it collects garbage twice (the
 * second pass frees what finalizers of the first released) and answers process.memoryUsage(),
 * so heap figures count what the service keeps, not what it has yet to collect. The service's own
 * code is unchanged by it.
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-probe needs node --expose-gc');
process.on('message', (m) => {
  if (m !== 'memory') return;
  gc();
  gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.send!({ rss, heapUsed, heapTotal, external, arrayBuffers });
});
// The probe must not keep a stopping service alive.
process.channel?.unref();
