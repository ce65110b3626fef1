// GitLab's web paths, which the gateway's `_links.webPath` and `downloadPath` name.

export type Place =
  | { page: 'home' }
  | { page: 'sign-in' }
  | { page: 'list'; scope: 'project' | 'group'; fullPath: string }
  | { page: 'details'; fullPath: string; id: number }
  | { page: 'not-found' };

/** The page a pathname shows. */
export function placeOf(pathname: string): Place {
  if (pathname === '/' || pathname === '') return { page: 'home' };
  if (pathname === '/users/sign_in') return { page: 'sign-in' };
  const group = /^\/groups\/(.+)\/-\/packages\/?$/.exec(pathname);
  if (group) return { page: 'list', scope: 'group', fullPath: decodeURIComponent(group[1]!) };
  const details = /^\/(.+)\/-\/packages\/(\d+)\/?$/.exec(pathname);
  if (details) return { page: 'details', fullPath: decodeURIComponent(details[1]!), id: Number(details[2]) };
  const project = /^\/(.+)\/-\/packages\/?$/.exec(pathname);
  if (project) return { page: 'list', scope: 'project', fullPath: decodeURIComponent(project[1]!) };
  return { page: 'not-found' };
}

export const projectPackagesPath = (fullPath: string) => `/${fullPath}/-/packages`;
export const groupPackagesPath = (fullPath: string) => `/groups/${fullPath}/-/packages`;
export const packageGid = (id: number) => `gid://gitlab/Packages::Package/${id}`;
export const numericId = (gid: string) => Number(gid.slice(gid.lastIndexOf('/') + 1));
