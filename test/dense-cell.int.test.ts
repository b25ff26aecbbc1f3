// Only Kafka shows this: a cell of 12,000 waiting devices kept as changelog pieces, restored after a SIGKILL of its process with its queue in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from '../services/runtime/kafka/port.ts';
import type { CellEvent } from '../contracts/cell-events.ts';
import type { CellGrant } from '../contracts/cell-grants.ts';
import type { CellRequest } from '../contracts/cell-requests.ts';
import { radioClasses } from '../scripts/fleet/fleet.ts';
import { consumeThroughOutages } from '../scripts/lib/consume-through-outages.ts';
import { produce } from '../scripts/lib/kafka.ts';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';

const DEVICES = 12_000;
const CELL = 'cell-dense';
const good = radioClasses[0];

describe('a dense cell', () => {
  let t: Topology;
  let cell: ServiceProcess;
  let events: TopicRecorder<CellEvent>;
  let deadLetters: TopicRecorder;
  let devices: Producer;
  let stopDevices: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    t = await createTopology('dense');
    cell = new ServiceProcess('cell', t.env, t.prefix);
    cell.start();
    events = await TopicRecorder.start<CellEvent>(t, 'cell-events');
    deadLetters = await TopicRecorder.start(t, 'cell-requests.dlq');
    // The devices' side: each holds its token as long as one round trip, then gives it back.
    devices = t.kafka.producer();
    await devices.connect();
    const grants = t.kafka.consumer({ groupId: `${t.prefix}devices`, maxWaitTimeMs: 20 });
    await grants.connect();
    await grants.subscribe(t.names.name('cell-grants'), { fromBeginning: true });
    const codec = t.codecs.get('cell-requests')!;
    stopDevices = await consumeThroughOutages(grants, async ({ messages }) => {
      const releases = messages.map((m) => {
        const g = t.codecs.get('cell-grants')!.decode(m.value) as CellGrant;
        const release: CellRequest = { type: 'release', cellId: g.cellId, deviceId: g.deviceId, campaignId: g.campaignId, attempt: g.attempt, reason: 'UpgradeSuccess', at: Date.now() };
        return { key: g.cellId, value: codec.encode(release) };
      });
      await devices.send({ topic: t.names.name('cell-requests'), messages: releases });
    });
  });

  afterAll(async () => {
    await stopDevices();
    await devices?.disconnect();
    await events?.stop();
    await deadLetters?.stop();
    await cell?.stop();
    await t?.dispose();
  });

  it(`R-CELL-1, R-CELL-3: ${DEVICES} devices waiting in one cell get its 50 tokens first come first served, through a SIGKILL of the cell process`, async () => {
    const codec = t.codecs.get('cell-requests')!;
    const asked = Array.from({ length: DEVICES }, (_, i) => `${t.prefix}d${String(i).padStart(5, '0')}`);
    const acquire = (deviceId: string): CellRequest => ({ type: 'acquire', cellId: CELL, deviceId, campaignId: 'k', attempt: 1, radio: { rsrp: good.rsrp, sinr: good.sinr }, at: Date.now() });
    await produce(t, 'cell-requests', asked.map((d) => ({ key: CELL, value: codec.encode(acquire(d)) })));
    const released = () => new Set(events.values().filter((e) => e.type === 'released').map((e) => e.deviceId)).size;

    // Killed with thousands waiting: the queue comes back from its pieces.
    await waitFor('a fifth of the devices to give their token back', () => released() >= DEVICES / 5, 180_000, 100);
    await cell.kill();
    const atKill = released();
    cell.start('restarted');
    await waitFor(`all ${DEVICES} devices to give their token back`, () => released() === DEVICES, 180_000, 100);

    expect(atKill).toBeLessThan(DEVICES);
    const all = events.values();
    const queued = all.filter((e) => e.type === 'queued').map((e) => e.deviceId);
    const granted = all.filter((e) => e.type === 'granted').map((e) => e.deviceId);
    expect(queued, 'each device queued once, in the order it asked').toEqual(asked);
    expect(granted, 'tokens go out in the order the devices asked for them').toEqual(asked);
    expect(Math.max(...all.map((e) => e.inUse)), 'tokens held at once').toBe(good.limit);
    expect(Math.max(...all.map((e) => e.waiting))).toBeGreaterThan(10_000);
    expect(deadLetters.records).toEqual([]);
  });
});
