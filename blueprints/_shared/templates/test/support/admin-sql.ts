import pg from 'pg';

/**
 * One statement on the server's maintenance connection, outside any transaction: CREATE/DROP DATABASE
 * (and ROLE) cannot run in one. The test global setup creates and drops the run's own databases with it.
 */
export async function admin(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
