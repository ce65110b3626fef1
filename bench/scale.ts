// Latency of the listings that grow with the data: sequential requests (one at a time, so a figure is
// the cost of one request, not of a queue) against a running gateway, p50 and p99 per query. Run at
// 100,000 and at 1,000,000 packages (BENCH_PACKAGES) to see whether a listing stays flat.

export interface ScaleQuery {
  id: string;
  label: string;
  path: string;
}

export interface ScaleResult extends ScaleQuery {
  requests: number;
  p50: number;
  p99: number;
  /** What one answer held (array length), to show the query found something. */
  items: number;
}

/** The `p`th percentile of ascending `sorted` (nearest rank). */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The report's lines for `results`. */
export function formatScale(results: ScaleResult[], packages: number): string[] {
  return [
    `latency at ${packages.toLocaleString('en-US')} packages (sequential requests, one at a time; ms):`,
    ...results.map(
      (r) => `  ${r.label.padEnd(34)} p50 ${r.p50.toFixed(1).padStart(6)}  p99 ${r.p99.toFixed(1).padStart(6)}  (${r.requests} requests, ${r.items} items per answer)`,
    ),
  ];
}

/** The queries the issue names: E1, the group list by created_at and by name, a fuzzy name search, page 400 of E1. */
export function scaleQueries(world: { projectId: number; groupPath: string; searchTerm: string }): ScaleQuery[] {
  const project = `/api/v4/projects/${world.projectId}/packages`;
  const group = `/api/v4/groups/${encodeURIComponent(world.groupPath)}/packages`;
  return [
    { id: 'e1', label: 'E1 per_page=20', path: `${project}?per_page=20` },
    { id: 'group-created', label: 'group list, created_at', path: `${group}?per_page=20&order_by=created_at&sort=desc` },
    { id: 'group-name', label: 'group list, name', path: `${group}?per_page=20&order_by=name&sort=asc` },
    { id: 'fuzzy', label: `fuzzy package_name=${world.searchTerm}`, path: `${group}?per_page=20&package_name=${encodeURIComponent(world.searchTerm)}` },
    { id: 'e1-page-400', label: 'E1 page 400 per_page=20', path: `${project}?per_page=20&page=400` },
  ];
}

/** Sends each query `requests` times in a row (after 5 unmeasured ones); throws on a non-200 answer. */
export async function measureScale(baseUrl: string, token: string, queries: ScaleQuery[], requests: number): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const query of queries) {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < requests + 5; i++) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}${query.path}`, { headers: { 'private-token': token } });
      const body = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`${query.label}: GET ${query.path} -> ${response.status} ${body.slice(0, 200)}`);
      if (i >= 5) times.push(ms);
      items = (JSON.parse(body) as unknown[]).length;
    }
    times.sort((a, b) => a - b);
    results.push({ ...query, requests, p50: percentile(times, 50), p99: percentile(times, 99), items });
  }
  return results;
}
