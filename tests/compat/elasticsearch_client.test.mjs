// The official Elasticsearch JavaScript client (@elastic/elasticsearch v8), unchanged,
// against the real orrery binary's /es API: create an index, bulk-load, search with
// aggregations (values checked against ones computed here), count, and errors as the
// client reports them. Usage: node elasticsearch_client.test.mjs <orrery binary>
import assert from 'node:assert/strict';

import { officialClient, startHost } from './host.mjs';

const Client = await officialClient();

const binary = process.argv[2];
const host = await startHost(binary, { config: 'security:\n  enabled: false\n' });
const port = host.port;

const client = new Client({ node: `http://127.0.0.1:${port}/es` });

try {
  const info = await client.info();
  assert.equal(info.tagline, 'You Know, for Search');
  assert.match(info.version.number, /^8\./);

  await client.indices.create({
    index: 'logs',
    settings: { number_of_shards: 2 },
    mappings: { properties: { at: { type: 'date' }, level: { type: 'keyword' }, latency: { type: 'double' }, message: { type: 'text' } } },
  });
  assert.equal(await client.indices.exists({ index: 'logs' }), true);
  assert.equal(await client.indices.exists({ index: 'nothing' }), false);

  const levels = ['info', 'warn', 'error'];
  const docs = [];
  for (let i = 0; i < 90; i++) {
    docs.push({ at: new Date(Date.UTC(2024, 0, 1 + (i % 30))).toISOString(), level: levels[i % 3], latency: (i * 7) % 50 + 0.5,
                message: i % 2 ? 'upstream timed out' : 'request served' });
  }
  const bulk = await client.bulk({ refresh: true, operations: docs.flatMap((doc, i) => [{ index: { _index: 'logs', _id: String(i) } }, doc]) });
  assert.equal(bulk.errors, false);
  assert.equal(bulk.items.length, 90);

  // Expected values, computed here.
  const byLevel = {};
  for (const d of docs) (byLevel[d.level] ??= []).push(d.latency);
  const timedOut = docs.filter((d) => d.message.includes('timed'));

  const result = await client.search({
    index: 'logs',
    size: 3,
    query: { bool: { must: [{ match: { message: 'timed' } }], filter: [{ range: { latency: { gte: 0 } } }] } },
    sort: [{ latency: 'desc' }],
    aggs: {
      levels: { terms: { field: 'level' }, aggs: { avg_latency: { avg: { field: 'latency' } } } },
      per_week: { date_histogram: { field: 'at', calendar_interval: 'week' } },
      max_latency: { max: { field: 'latency' } },
    },
  });
  assert.equal(result.hits.total.value, timedOut.length);
  assert.equal(result.hits.hits.length, 3);
  assert.equal(result.hits.hits[0]._source.latency, Math.max(...timedOut.map((d) => d.latency)));
  assert.equal(result.aggregations.max_latency.value, Math.max(...timedOut.map((d) => d.latency)));
  const expectedLevels = {};
  for (const d of timedOut) (expectedLevels[d.level] ??= []).push(d.latency);
  for (const bucket of result.aggregations.levels.buckets) {
    const values = expectedLevels[bucket.key];
    assert.equal(bucket.doc_count, values.length, `doc_count of ${bucket.key}`);
    assert.ok(Math.abs(bucket.avg_latency.value - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
  }
  const weekTotal = result.aggregations.per_week.buckets.reduce((n, b) => n + b.doc_count, 0);
  assert.equal(weekTotal, timedOut.length);

  const count = await client.count({ index: 'logs', query: { term: { level: 'warn' } } });
  assert.equal(count.count, byLevel.warn.length);

  const doc = await client.get({ index: 'logs', id: '5' });
  assert.deepEqual(doc._source, docs[5]);

  await assert.rejects(client.get({ index: 'logs', id: 'missing' }), (error) => error.meta.statusCode === 404);
  await assert.rejects(client.search({ index: 'nothing' }),
                       (error) => error.meta.statusCode === 404 && error.meta.body.error.type === 'index_not_found_exception');
  await assert.rejects(client.search({ index: 'logs', query: { nope: {} } }),
                       (error) => error.meta.statusCode === 400 && error.meta.body.error.type === 'parsing_exception');
  console.log('ok: the official client worked against orrery');
} finally {
  await client.close();
  await host.stop();
}
