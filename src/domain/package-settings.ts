// A group's package registry settings (GitLab's Namespace::PackageSetting, table
// namespace_package_settings), as GitLab's `Group.packageSettings` shows them: a group without a row
// has the column defaults, and the three request-forwarding settings cascade down the group tree.
import type { NamespacePackageSetting, PrismaClient } from '../generated/prisma/client.ts';

/** The stored columns of a setting, without its key. */
export type PackageSettingColumns = Omit<NamespacePackageSetting, 'namespaceId'>;

/**
 * GitLab's column defaults of namespace_package_settings (db/structure.sql, from the migrations that
 * added each column): duplicates allowed for Maven, generic and NuGet, not for Terraform modules;
 * empty exception regexes; forwarding unset (inherited); nothing locked; NuGet symbol server and
 * audit events off. What `Namespace#package_settings` builds when a group has no row.
 */
export const defaultPackageSetting: Readonly<PackageSettingColumns> = {
  mavenDuplicatesAllowed: true,
  mavenDuplicateExceptionRegex: '',
  genericDuplicatesAllowed: true,
  genericDuplicateExceptionRegex: '',
  nugetDuplicatesAllowed: true,
  nugetDuplicateExceptionRegex: '',
  terraformModuleDuplicatesAllowed: false,
  terraformModuleDuplicateExceptionRegex: '',
  mavenPackageRequestsForwarding: null,
  lockMavenPackageRequestsForwarding: false,
  npmPackageRequestsForwarding: null,
  lockNpmPackageRequestsForwarding: false,
  pypiPackageRequestsForwarding: null,
  lockPypiPackageRequestsForwarding: false,
  nugetSymbolServerEnabled: false,
  auditEventsEnabled: false,
};

/** The settings that cascade (GitLab's `cascading_attr` in app/models/namespace/package_setting.rb). */
export const forwardingSettings = ['maven', 'npm', 'pypi'] as const;
export type ForwardingRegistry = (typeof forwardingSettings)[number];

/**
 * The instance-level values the cascade ends at: GitLab's application settings
 * `<registry>_package_requests_forwarding` (default true) and `lock_<registry>_package_requests_forwarding`
 * (default false). The gateway does not model application settings, so these are constants.
 */
export const instanceForwarding: Readonly<Record<ForwardingRegistry, { value: boolean; locked: boolean }>> = {
  maven: { value: true, locked: false },
  npm: { value: true, locked: false },
  pypi: { value: true, locked: false },
};

/** The fields of GitLab's `PackageSettings` GraphQL type (app/graphql/types/namespace/package_settings_type.rb). */
export interface PackageSettingsView extends PackageSettingColumns {
  mavenPackageRequestsForwardingLocked: boolean;
  npmPackageRequestsForwardingLocked: boolean;
  pypiPackageRequestsForwardingLocked: boolean;
}

/** A namespace's own setting row (if any) and its ancestors' rows, nearest ancestor first. */
export interface PackageSettingChain {
  own: PackageSettingColumns | null;
  ancestors: PackageSettingColumns[];
}

/** `a/b/c` -> `['a/b', 'a']`: the full paths of a namespace's ancestors, nearest first. */
function ancestorPaths(fullPath: string): string[] {
  const parts = fullPath.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, parts.length - 1 - i).join('/'));
}

/**
 * The setting rows of these namespaces (by full path) and of their ancestors, in one statement.
 * Ancestors are the namespaces whose full paths are prefixes of the namespace's.
 */
export async function findPackageSettingChains(prisma: PrismaClient, fullPaths: readonly string[]): Promise<Map<string, PackageSettingChain>> {
  const wanted = [...new Set(fullPaths.flatMap((path) => [path, ...ancestorPaths(path)]))];
  const rows = await prisma.namespacePackageSetting.findMany({
    where: { namespace: { fullPath: { in: wanted } } },
    include: { namespace: { select: { fullPath: true } } },
  });
  const byPath = new Map<string, PackageSettingColumns>();
  for (const { namespace, namespaceId: _id, ...columns } of rows) byPath.set(namespace.fullPath, columns);
  return new Map(
    fullPaths.map((path) => [
      path,
      {
        own: byPath.get(path) ?? null,
        ancestors: ancestorPaths(path).flatMap((p) => byPath.get(p) ?? []),
      },
    ]),
  );
}

const capitalized = (registry: ForwardingRegistry) => `${registry[0]!.toUpperCase()}${registry.slice(1)}` as Capitalize<ForwardingRegistry>;

/**
 * The settings GitLab shows for a namespace: its own row or the column defaults, with each
 * forwarding setting cascaded as GitLab's CascadingNamespaceSettingAttribute reader does
 * (app/models/concerns/cascading_namespace_setting_attribute.rb): the value of an ancestor that locks
 * it (the topmost, whose lock wins), else the instance's if the instance locks it, else the
 * namespace's own non-null value, else the nearest ancestor's non-null value, else the instance's.
 * `<registry>PackageRequestsForwardingLocked` is whether an ancestor or the instance locks it.
 */
export function resolvePackageSettings(chain: PackageSettingChain, instance = instanceForwarding): PackageSettingsView {
  const own = chain.own ?? defaultPackageSetting;
  const view = { ...own } as PackageSettingsView;
  for (const registry of forwardingSettings) {
    const name = capitalized(registry);
    const attribute = `${registry}PackageRequestsForwarding` as const;
    const lock = `lock${name}PackageRequestsForwarding` as const;
    const lockedAncestor = chain.ancestors.findLast((row) => row[lock]);
    let value: boolean | null;
    if (lockedAncestor) value = lockedAncestor[attribute];
    else if (instance[registry].locked) value = instance[registry].value;
    else value = own[attribute] ?? chain.ancestors.find((row) => row[attribute] !== null)?.[attribute] ?? instance[registry].value;
    view[attribute] = value;
    view[`${registry}PackageRequestsForwardingLocked`] = lockedAncestor !== undefined || instance[registry].locked;
  }
  return view;
}

/** The package types whose duplicates a namespace setting governs (GitLab's PACKAGES_WITH_SETTINGS). */
export type DuplicateSettingType = 'maven' | 'generic' | 'nuget' | 'terraform_module';

/**
 * Whether a package of the project's namespace may receive a file it already has (GitLab's
 * Namespace::PackageSetting.duplicates_allowed?): the namespace's own setting (its row, else the
 * column defaults; the setting does not cascade), flipped when the exception regex matches the
 * package's whole name or whole version (`\A<regex>\z`, so an empty regex matches nothing). A regex
 * JavaScript cannot compile (GitLab's is RE2) counts as matching nothing.
 */
export async function duplicatesAllowed(
  prisma: Pick<PrismaClient, 'namespacePackageSetting'>,
  namespaceId: number,
  type: DuplicateSettingType,
  pkg: { name: string; version: string | null },
): Promise<boolean> {
  const row = await prisma.namespacePackageSetting.findUnique({ where: { namespaceId } });
  const setting = row ?? defaultPackageSetting;
  const columns = {
    maven: ['mavenDuplicatesAllowed', 'mavenDuplicateExceptionRegex'],
    generic: ['genericDuplicatesAllowed', 'genericDuplicateExceptionRegex'],
    nuget: ['nugetDuplicatesAllowed', 'nugetDuplicateExceptionRegex'],
    terraform_module: ['terraformModuleDuplicatesAllowed', 'terraformModuleDuplicateExceptionRegex'],
  } as const;
  const [allowedColumn, regexColumn] = columns[type];
  let regex: RegExp | null;
  try {
    regex = new RegExp(`^${setting[regexColumn]}$`, 'u');
  } catch {
    regex = null;
  }
  const matches = regex !== null && (regex.test(pkg.name) || (pkg.version !== null && regex.test(pkg.version)));
  return setting[allowedColumn] ? !matches : matches;
}
