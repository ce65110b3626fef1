// Conan packages: GitLab shows them by their recipe (`name/version@username/channel`).
import type { Package } from '../generated/prisma/client.ts';

export type ConanPackage = Pick<Package, 'name' | 'version' | 'conanUsername' | 'conanChannel'>;

/** GitLab's placeholder for a recipe without a user or channel. */
const unset = '_';

/** The recipe string, `name/version@username/channel`. */
export function conanRecipe(pkg: ConanPackage): string {
  return `${pkg.name}/${pkg.version ?? ''}@${pkg.conanUsername ?? unset}/${pkg.conanChannel ?? unset}`;
}

/** The recipe as a path, `name/version/username/channel`. */
export function conanRecipePath(pkg: ConanPackage): string {
  return `${pkg.name}/${pkg.version ?? ''}/${pkg.conanUsername ?? unset}/${pkg.conanChannel ?? unset}`;
}
