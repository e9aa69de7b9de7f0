import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { MAX_NAMED_STATEMENTS, namingClient } from '../../src/store/named-statements.js';
import { findServer } from './drivers.js';
import { scratchDatabase } from './postgres-scratch.js';
import type { ScratchDatabase } from './postgres-scratch.js';

const serverUrl = await findServer();

/** The named statements this connection's server backend holds. */
async function preparedNames(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'select name from pg_prepared_statements order by name',
  );
  return rows.map((row) => row.name);
}

describe(
  'named prepared statements on PostgreSQL',
  {
    skip: serverUrl === undefined ? 'no PostgreSQL answers; PostgreSQL tests skipped' : false,
  },
  () => {
    let database: ScratchDatabase;
    let pool: pg.Pool;

    before(async () => {
      database = await scratchDatabase(serverUrl!, 'veil_named', { migrated: false });
      pool = new pg.Pool({ connectionString: database.url, max: 1, Client: namingClient(pg.Client) });
    });
    after(async () => {
      await pool?.end();
      await database?.drop();
    });

    test('a parameterised statement is prepared once per connection and answers as unnamed', async () => {
      const text = 'select $1::int + 1 as next, $2::text as label';
      // Through the pool's own query (pg-boss's path, pg's callback form) on the pool's one connection.
      const viaPool = await pool.query(text, [41, 'pool']);
      assert.deepEqual(viaPool.rows, [{ next: 42, label: 'pool' }]);
      const client = await pool.connect();
      try {
        for (let i = 0; i < 7; i += 1) {
          const { rows } = await client.query(text, [i, `row ${i}`]);
          assert.deepEqual(rows, [{ next: i + 1, label: `row ${i}` }]);
        }
        const names = await preparedNames(client);
        assert.equal(names.length, 1, 'one prepared statement for seven runs and the pool query');
        assert.match(names[0]!, /^veil_[\w-]{24}$/);
        // Without parameters: the simple protocol, nothing prepared.
        await client.query('select 1');
        assert.equal((await preparedNames(client)).length, 1);
      } finally {
        client.release();
      }
    });

    test(`at most ${MAX_NAMED_STATEMENTS} statements a connection are named; the rest run unnamed`, async () => {
      const client = await pool.connect();
      try {
        const before = (await preparedNames(client)).length;
        for (let i = 0; i < MAX_NAMED_STATEMENTS + 20; i += 1) {
          const { rows } = await client.query(`select $1::int as n, ${i} as i`, [i]);
          assert.deepEqual(rows, [{ n: i, i }]);
        }
        assert.equal((await preparedNames(client)).length, MAX_NAMED_STATEMENTS);
        assert.ok(before < MAX_NAMED_STATEMENTS);
      } finally {
        client.release();
      }
    });

    test('a statement whose result changed shape under it fails once, then runs unnamed', async () => {
      const fresh = new pg.Pool({ connectionString: database.url, max: 1, Client: namingClient(pg.Client) });
      try {
        await fresh.query('create table shapes (a int)');
        await fresh.query('insert into shapes values (1)');
        const text = 'select * from shapes where a = $1';
        assert.deepEqual((await fresh.query(text, [1])).rows, [{ a: 1 }]);
        await fresh.query('alter table shapes add column b int');
        await assert.rejects(fresh.query(text, [1]), { code: '0A000' });
        assert.deepEqual((await fresh.query(text, [1])).rows, [{ a: 1, b: null }]);
      } finally {
        await fresh.end();
      }
    });

    test('openDatabase prepares by default, and not with preparedStatements: false', async () => {
      for (const preparedStatements of [true, false]) {
        const handle = await openDatabase(
          { driver: 'postgres', connectionString: database.url, maxConnections: 1, preparedStatements },
          { migrate: false },
        );
        try {
          if (handle.connection.driver !== 'postgres') throw new Error('expected the postgres driver');
          const client = await handle.connection.pool.connect();
          try {
            await client.query('select $1::int as n', [1]);
            assert.equal((await preparedNames(client)).length, preparedStatements ? 1 : 0);
          } finally {
            client.release();
          }
        } finally {
          await handle.close();
        }
      }
    });
  },
);
