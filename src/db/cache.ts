// In-process caches of rows, emptied when the rows may have changed: each cache names the tables its
// values are read from, and a change notification for one of them (change-feed.ts) empties it.
// While the listening connection is down, nothing is served from or stored in any cache.
import { LRUCache } from 'lru-cache';
import type { Listen } from './change-feed.ts';

/** One cache: `get`, and `set` of what was read since `stamp()` (dropped if a change came in between). */
export interface TableCache<K extends {}, V extends {}> {
  /** The cached value, or undefined (also while caching is off). */
  get(key: K): V | undefined;
  /** Call before reading what will be `set`; a change notified after it makes that `set` a no-op. */
  stamp(): number;
  set(key: K, value: V, stamp: number): void;
  /**
   * Drops `key` at once, for a change this process just made (its notification arrives later); a `set`
   * of a read begun before is dropped too.
   */
  forget(key: K): void;
}

/** A set of caches fed by one change listener. */
export class ChangeCaches {
  private live = false;
  /** Bumped by every notification and state change; a `set` stamped before the last bump is dropped. */
  private generation = 0;
  private readonly caches: { tables: ReadonlySet<string>; lru: LRUCache<{}, {}> }[] = [];
  private stop: (() => Promise<void>) | undefined;

  /** Whether values are being cached and served (the change listener is connected). */
  get isLive(): boolean {
    return this.live;
  }

  /**
   * A cache of at most `max` values read from `tables` (a notification for any of them empties it).
   */
  define<K extends {}, V extends {}>(tables: readonly string[], max: number): TableCache<K, V> {
    const lru = new LRUCache<K, V>({ max });
    this.caches.push({ tables: new Set(tables), lru: lru as unknown as LRUCache<{}, {}> });
    return {
      get: (key) => (this.live ? lru.get(key) : undefined),
      stamp: () => this.generation,
      set: (key, value, stamp) => {
        if (this.live && stamp === this.generation) lru.set(key, value);
      },
      forget: (key) => {
        this.generation++;
        lru.delete(key);
      },
    };
  }

  /** Starts listening; until it connects (and whenever the connection is lost), caching is off. */
  async start(listen: Listen): Promise<void> {
    this.stop = await listen({
      notify: (table) => {
        this.generation++;
        for (const cache of this.caches) if (cache.tables.has(table)) cache.lru.clear();
      },
      state: (live) => {
        // Changes made while the connection was down were not heard: start from empty either way.
        this.generation++;
        this.live = live;
        for (const cache of this.caches) cache.lru.clear();
      },
    });
  }

  async close(): Promise<void> {
    this.live = false;
    await this.stop?.();
  }
}
