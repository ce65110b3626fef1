// GraphiQL on GET /api/graphql, working offline: @graphql-yoga/render-graphiql inlines GraphiQL's
// scripts, styles and editor workers into the page (yoga's default page loads them from a CDN).
import type { GraphiQLOptions } from 'graphql-yoga';

const exampleQuery = `# packages-gateway: GitLab's package registry over GraphQL.
#
# Anonymous requests see public projects only. To act as a user, open the Headers
# tab below and add a personal access token, for example the demo administrator's:
#   { "PRIVATE-TOKEN": "glpat-root-demo-0000000001" }
# (also accepted: "Authorization": "Bearer <token>").

query ProjectPackages {
  currentUser { username }
  project(fullPath: "acme/platform/api") {
    packages(first: 5, sort: NAME_ASC) {
      count
      nodes {
        id
        name
        version
        packageType
        status
        tags { nodes { name } }
        pipelines(first: 1) { nodes { sha user { username } } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;

/** The page's settings: title, the example query for the demo data, the headers editor open. */
export const graphiqlOptions: GraphiQLOptions = {
  title: 'packages-gateway GraphiQL',
  defaultQuery: exampleQuery,
  defaultEditorToolsVisibility: 'headers',
  headers: '{}',
};

let rendered: { key: string; html: string } | undefined;

/**
 * Renders GraphiQL's HTML page (about 9 MB, every asset inline), once per distinct options: yoga
 * calls the renderer on every GET. The renderer is imported on the first GET only: its bundle costs
 * about 65 MB of memory, which a server with GraphiQL off (production's default) never pays.
 */
export async function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  if (rendered?.key !== key) {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    rendered = { key, html: renderGraphiQL(options) };
  }
  return rendered.html;
}
