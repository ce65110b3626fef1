// PostgreSQL LISTEN on one channel, kept open: the way every gateway process learns that another
// process (or the CLI, or plain SQL) changed rows it caches. Notifications are sent by triggers
// (prisma/migrations/*_change_notifications) and delivered at commit.

import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The channel the change triggers notify; the payload is the changed table's name. */
export const changeChannel = 'pgw_changes';

/** What a listener is told. */
export interface ChangeListener {
  /** A notification on the channel (the payload: a table name). */
  notify(payload: string): void;
  /**
   * The listening connection is up (`true`: notifications will arrive from now on) or lost (`false`:
   * changes may go unnoticed until it is back).
   */
  state(live: boolean): void;
}

/** Starts listening; resolves once the first attempt to listen has succeeded or failed. Returns `stop`. */
export type Listen = (listener: ChangeListener) => Promise<() => Promise<void>>;

/** Shown in pg_stat_activity.application_name for the change feed's listening connection (other channels' add ` (<channel>)`). */
export const listenerApplicationName = 'packages-gateway listener';

/**
 * LISTEN on `channel` (a plain identifier) of a PostgreSQL server over a dedicated connection (not the
 * pool's: it stays open and idle). When the connection fails or ends, the listener is told
 * `state(false)` and a new connection is tried every `retryMs` milliseconds until one listens
 * (`state(true)`).
 */
export function listenPostgres(connectionString: string, retryMs = 500, channel = changeChannel): Listen {
  return async (listener) => {
    let stopped = false;
    let current: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;

    const lost = (client: pg.Client) => {
      if (current === client) {
        current = undefined;
        listener.state(false);
      }
      client.removeAllListeners('end');
      client.on('error', () => {});
      client.end().catch(() => {});
      if (!stopped && retry === undefined) {
        retry = setTimeout(() => {
          retry = undefined;
          void connect();
        }, retryMs);
        retry.unref();
      }
    };

    const connect = async () => {
      const applicationName = channel === changeChannel ? listenerApplicationName : `${listenerApplicationName} (${channel})`;
      const client = new pg.Client({ connectionString, application_name: applicationName, connectionTimeoutMillis: 5_000 });
      let failed = false;
      const fail = () => {
        if (failed) return;
        failed = true;
        lost(client);
      };
      client.on('error', fail);
      client.on('end', fail);
      client.on('notification', (message) => {
        if (message.channel === channel) listener.notify(message.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
        if (stopped) {
          await client.end();
          return;
        }
        current = client;
        listener.state(true);
      } catch {
        fail();
      }
    };

    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      if (client) {
        client.removeAllListeners('end');
        client.removeAllListeners('error');
        client.on('error', () => {});
        await client.end().catch(() => {});
      }
    };
  };
}

/** LISTEN on `channel` of an embedded PGlite: the same process is the only writer, and the "connection" never drops. */
export function listenPGlite(pglite: PGlite, channel = changeChannel): Listen {
  return async (listener) => {
    const unsubscribe = await pglite.listen(channel, (payload) => listener.notify(payload));
    listener.state(true);
    return async () => {
      if (!pglite.closed) await unsubscribe();
    };
  };
}
