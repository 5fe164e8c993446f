// The bench's half-rate phase for picks (issue 10): the fixed-rate driver sends each pick once when
// asked (a second send could only be refused), and the single-pick target is judged only on a run
// whose answers were all 204s. Driven against a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { driveFixedRate } from '../bench/fixed-rate.js';
import { judgeTargets, type ScenarioResult } from '../bench/report.js';
import type { HttpCall } from '../bench/request-sql.js';
import type { RunStats } from '../bench/stats.js';

let server: Server;
let baseUrl: string;
const seen: string[] = [];

before(async () => {
  server = createServer((request, response) => {
    seen.push(request.url ?? '');
    response.statusCode = 204;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const calls: HttpCall[] = ['a', 'b', 'c'].map((id) => ({
  method: 'PATCH',
  path: `/pick/${id}`,
  headers: {},
}));

test('with once, each call leaves once and the run ends marked as having used its work', async () => {
  seen.length = 0;
  const stats = await driveFixedRate({
    baseUrl,
    connections: 2,
    rate: 200,
    warmupSeconds: 0,
    seconds: 2,
    calls,
    once: true,
  });
  assert.deepEqual([...seen].sort(), ['/pick/a', '/pick/b', '/pick/c']);
  assert.equal(stats.completed, 3);
  assert.equal(stats.exhausted, true);
});

const stats = (outcomes: Record<string, number>, p99Ms: number): RunStats => {
  const completed = Object.values(outcomes).reduce((a, b) => a + b, 0);
  return {
    completed,
    seconds: 1,
    perSecond: completed,
    p50Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms,
    outcomes,
    errors: 0,
    exhausted: false,
  };
};

const pick1 = (halfRate: RunStats): ScenarioResult => ({
  key: 'pick1',
  title: 'single',
  expect: '204',
  store: 'sqlite',
  service: stats({ '204': 100 }, 50),
  peakRssMb: 100,
  db: stats({ ok: 100 }, 1),
  dbConcurrency: 1,
  http: undefined,
  halfRate: { rate: 50, stats: halfRate },
});

const halfRateTarget = (result: ScenarioResult) =>
  judgeTargets([result], 50, new Map()).find((t) =>
    t.name.includes('half the measured maximum rate on SQLite'),
  );

test('the single-pick p99 at half rate is judged against 10 ms on SQLite', () => {
  assert.equal(halfRateTarget(pick1(stats({ '204': 50 }, 9)))?.pass, true);
  assert.equal(halfRateTarget(pick1(stats({ '204': 50 }, 11)))?.pass, false);
});

test('a half-rate run with refusals is reported but not judged', () => {
  const target = halfRateTarget(pick1(stats({ '204': 40, '409': 10 }, 5)));
  assert.equal(target?.pass, undefined);
  assert.match(target?.detail ?? '', /not judged/);
});
